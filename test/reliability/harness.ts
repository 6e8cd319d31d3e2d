// Shared machinery of the fault suite: start ocvm as a child we can kill, watch its journal (written
// atomically at every step change) to stop it exactly at a step boundary, find the ssh processes of
// a transfer, and check what a target holds after a fault.
import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {DST, hostFsPath, infra, REPO_ROOT, run, sshCheck, SRC} from '../infra/hosts.js'

const RUN_ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/

export interface Journal {
  runId: string
  status: string
  committed: boolean
  steps: Array<{name: string; status: string}>
  roots: Array<{source: string; target: string; staging: string; activated?: boolean}>
  changes: Array<{file: string; key: string; from: string; to: string}>
  stop?: {kind: string}
  precopy?: {wireBytes: number; files: number}
  transfer?: {wireBytes: number; files: number; resumedFiles: number; bytes: number}
}

/** A fresh runs dir and TMPDIR per trial: no earlier journal makes a run a no-op, no ssh master is shared. */
export function trialDirs(prefix: string): {runs: string; tmp: string; env: Record<string, string>} {
  const base = mkdtempSync(path.join(tmpdir(), `ocvm-rel-${prefix}-`))
  const runs = path.join(base, 'runs')
  const tmp = path.join(base, 't')
  for (const d of [runs, tmp]) mkdirSync(d, {recursive: true, mode: 0o700})
  return {runs, tmp, env: {OCVM_RUNS_DIR: runs, TMPDIR: tmp}}
}

/** The journal of the (only) run in a runs dir, or undefined before ocvm wrote one. */
export function readJournal<J = Journal>(runs: string): J | undefined {
  if (!existsSync(runs)) return undefined
  const id = readdirSync(runs).filter((d) => RUN_ID_RE.test(d)).sort().pop()
  if (!id) return undefined
  try {
    return JSON.parse(readFileSync(path.join(runs, id, 'journal.json'), 'utf8')) as J
  } catch {
    return undefined
  }
}

export function stepStatus(j: Journal | undefined, step: string): string | undefined {
  return j?.steps.find((s) => s.name === step)?.status
}

export interface Launched {
  child: ChildProcess
  pid: number
  output(): {stdout: string; stderr: string}
  exited: Promise<number>
}

/** Starts `ocvm ...args` (the built CLI) with the test hosts' ssh config. */
export function launchOcvm(args: string[], env: Record<string, string>): Launched {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), ...args], {
    cwd: REPO_ROOT,
    env: {...process.env, NO_COLOR: '1', OCVM_SSH_CONFIG: infra().sshConfig, ...env},
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()))
  const exited = new Promise<number>((resolve) => child.on('close', (code, signal) => resolve(code ?? (signal === 'SIGKILL' ? 137 : 128))))
  if (child.pid === undefined) throw new Error('could not start ocvm')
  return {child, pid: child.pid, output: () => ({stdout, stderr}), exited}
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Polls until `ready()` holds (or the process ends). Returns false if ocvm exited first, true otherwise.
 * Polling every few ms is enough: the steps we stop at all do ssh round trips.
 */
export async function waitFor(launched: Launched, ready: () => boolean, timeoutMs = 240_000): Promise<boolean> {
  let done = false
  void launched.exited.then(() => (done = true))
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (ready()) return true
    if (done) return false
    await sleep(5)
  }
  throw new Error(`waited ${timeoutMs} ms for a fault point that never came\n${launched.output().stderr}`)
}

/** Whether the step has begun (running, or already past it) in the journal. */
export function stepBegun(runs: string, step: string): boolean {
  const s = stepStatus(readJournal(runs), step)
  return s === 'running' || s === 'done' || s === 'failed'
}

interface Proc {
  pid: number
  ppid: number
  cmdline: string
}

/** Every process this machine sees (the namespace hosts have no pid namespace: their sshd children are here too). */
export function processes(): Proc[] {
  const out: Proc[] = []
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
      out.push({pid: Number(entry), ppid, cmdline})
    } catch {
      // Gone between readdir and read.
    }
  }
  return out
}

/** Sends a signal to pids, ignoring ones already gone. */
export function killPids(pids: readonly number[], signal: NodeJS.Signals = 'SIGKILL'): number {
  let n = 0
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
      n++
    } catch {
      // Already exited.
    }
  }
  return n
}

export {treeDigest} from '../helpers/tree-digest.js'

/** Staging dirs ocvm left in a dir (in the test process's view of a host). */
export function stagingDirs(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((e) => e.startsWith('.ocvm-staging-')) : []
}

/** The bridge port that leads into ocvm-dst (hosts.sh numbers hosts in order). */
export const DST_PORT = 'ocvm-h1'

/** Slows the link into ocvm-dst (tc tbf), so a transfer of some MiB lasts seconds: a window to hit. */
export async function throttleTarget(rate = '40mbit'): Promise<void> {
  await run('tc', ['qdisc', 'replace', 'dev', DST_PORT, 'root', 'tbf', 'rate', rate, 'burst', '256kb', 'latency', '500ms'])
}

export async function unthrottleTarget(): Promise<void> {
  await run('tc', ['qdisc', 'del', 'dev', DST_PORT, 'root'])
}

/**
 * A wrapper of the target's unpacker in ocvm-dst's /usr/local/bin (private to the host, first on
 * its PATH and where ocvm looks for python3 first): `tar` for trees, `python3` for disk streams (the
 * Python receiver). The real one runs, then one byte of the first file named `victim` under its
 * working dir is flipped at `offset`, once (the wrapper removes itself). It corrupts data after ssh
 * delivered it intact, where only ocvm's own checksums can see it. Returns the wrapper's path
 * (remove it in a finally).
 */
export function installCorruptingUnpacker(victim: string, offset: number, tool: 'tar' | 'python3' = 'tar'): string {
  const wrapper = hostFsPath(DST, `/usr/local/bin/${tool}`)
  writeFileSync(wrapper, `#!/bin/sh
# Test fault (test/reliability/harness.ts): corrupts ${victim} at byte ${offset} after ${tool} ran, once.
/usr/bin/${tool} "$@"; rc=$?
f=$(find . -name '${victim}' -type f 2>/dev/null | head -n 1)
if [ -n "$f" ] && [ "$(stat -c %s "$f")" -gt ${offset} ]; then
  b=$(dd if="$f" bs=1 skip=${offset} count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
  printf "\\\\$(printf '%03o' $(( b ^ 1 )))" | dd of="$f" bs=1 seek=${offset} conv=notrunc 2>/dev/null
  rm -f "$0"
fi
exit $rc
`)
  chmodSync(wrapper, 0o755)
  return wrapper
}

/**
 * alice's deployment on ocvm-src, made by the real `openclaw setup --baseline` and shaped like a
 * real one: loopback with a token (the gateway refuses to bind without auth), a workspace path under
 * the old home (so the rewrite step has work to do), and `notes` incompressible MiB-sized files.
 */
export async function baselineDeployment(token: string, notes: {count: number; bytes: number}): Promise<void> {
  await sshCheck(SRC, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1', {user: 'alice', timeoutMs: 120_000})
  const state = hostFsPath(SRC, '/home/alice/.openclaw')
  const setup = JSON.parse(readFileSync(path.join(state, 'openclaw.json'), 'utf8')) as Record<string, unknown>
  writeFileSync(path.join(state, 'openclaw.json'), `{
  meta: ${JSON.stringify(setup.meta)},
  plugins: ${JSON.stringify(setup.plugins ?? {})},
  gateway: { mode: "local", bind: "loopback", port: 18789, auth: { mode: "token", token: "${token}" } },
  agents: { defaults: { workspace: "/home/alice/.openclaw/workspace" } },
}
`)
  const ws = path.join(state, 'workspace/notes')
  mkdirSync(ws, {recursive: true})
  for (let i = 0; i < notes.count; i++) writeFileSync(path.join(ws, `n-${i}.bin`), randomBytes(notes.bytes))
  await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
}
