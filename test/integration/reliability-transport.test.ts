// Faults in transit for `ocvm migrate --driver file`: the connection dies at seeded random points of
// the transfer (ssh processes killed, ssh master killed, the target's link taken down and up), bytes
// are flipped by a tampering relay between the hosts (ssh's MAC must catch it), and bytes are flipped
// after they left ssh, where only ocvm's own end-to-end SHA-256 can see them. After every fault the
// target must hold nothing activated or a byte-identical tree, and `--resume` must finish and verify.
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, infra, REPO_ROOT, resetHosts, run, runOcvm, SRC} from '../infra/hosts.js'
import {installCorruptingUnpacker, killPids, launchOcvm, processes, readJournal, sleep, stagingDirs, trialDirs, treeDigest, waitFor} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'
import {seeded, trialCount} from '../reliability/seeded.js'

beforeAll(resetHosts)

const DST_PORT = 'ocvm-h1' // the bridge port leading into ocvm-dst (hosts.sh numbers hosts in order)
const FILES = 12
const FILE_KB = 1024
// --skip-hooks: these hosts have no init system; the hooks have their own suite (hooks.test.ts).
const MIGRATE = ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--skip-hooks', '--yes']
const KINDS = ['kill-ssh-target', 'kill-ssh-source', 'kill-ssh-master', 'link-flap'] as const
type Kind = (typeof KINDS)[number] | 'tamper-ssh' | 'tamper-after-ssh'

const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const dstHome = () => hostFsPath(DST, '/home/bob')
const dstState = () => hostFsPath(DST, '/home/bob/.openclaw')

interface Outcome {
  kind: Kind
  injected: boolean
  firstExit: number
  activatedAfterFault: 'nothing' | 'identical' | 'CORRUPT'
  resumed: boolean
  identical: boolean
}
const outcomes: Outcome[] = []
const rng = seeded('transport faults')

/** After a fault: nothing activated, or (the run finished anyway) exactly the source. */
function targetAfterFault(): Outcome['activatedAfterFault'] {
  if (!existsSync(dstState())) return 'nothing'
  return sameTree() ? 'identical' : 'CORRUPT'
}

function sameTree(): boolean {
  const a = treeDigest(srcState())
  const b = treeDigest(dstState())
  return a.size > 0 && a.size === b.size && [...a].every(([k, v]) => b.get(k) === v)
}

function cleanTarget(): void {
  rmSync(dstState(), {recursive: true, force: true})
  for (const s of stagingDirs(dstHome())) rmSync(path.join(dstHome(), s), {recursive: true, force: true})
}

async function throttle(): Promise<void> {
  // ~5 MB/s towards the target, so a transfer of ~24 MB leaves a window to hit.
  await run('tc', ['qdisc', 'replace', 'dev', DST_PORT, 'root', 'tbf', 'rate', '40mbit', 'burst', '256kb', 'latency', '500ms'])
}

/** Injects one fault into a running transfer; true if it hit something. */
async function inject(kind: (typeof KINDS)[number], ocvmPid: number, tmp: string): Promise<boolean> {
  const procs = processes()
  switch (kind) {
    case 'kill-ssh-target': return killPids(procs.filter((p) => p.ppid === ocvmPid && p.cmdline.startsWith('ssh') && p.cmdline.includes('tar -xpf')).map((p) => p.pid)) > 0
    case 'kill-ssh-source': return killPids(procs.filter((p) => p.ppid === ocvmPid && p.cmdline.startsWith('ssh') && p.cmdline.includes('OCVM-PROGRESS')).map((p) => p.pid)) > 0
    // The multiplexing masters of this trial (their control sockets live under its TMPDIR).
    case 'kill-ssh-master': return killPids(procs.filter((p) => p.cmdline.startsWith('ssh') && p.cmdline.includes(tmp) && p.cmdline.includes('[mux]')).map((p) => p.pid)) > 0
    case 'link-flap': {
      await run('ip', ['link', 'set', DST_PORT, 'down'])
      await sleep(rng.int(500, 3000))
      await run('ip', ['link', 'set', DST_PORT, 'up'])
      await throttle()
      return true
    }
  }
}

async function resume(runs: string, env: Record<string, string>): Promise<boolean> {
  const runId = readJournal(runs)?.runId
  if (!runId) return false
  const r = await runOcvm(['migrate', '--resume', runId, '--json'], {env, timeoutMs: 300_000})
  expect(r.exitCode, r.stderr + r.stdout).toBe(0)
  expect(r.json).toMatchObject({status: 'ok'})
  return true
}

describe('transport faults during `ocvm migrate --driver file`', () => {
  beforeAll(async () => {
    mkdirSync(path.join(srcState(), 'workspace/research'), {recursive: true})
    writeFileSync(path.join(srcState(), 'openclaw.json'), '{ gateway: { mode: "local", bind: "loopback" } }\n')
    // Incompressible, so the throttle bounds the transfer time.
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(srcState(), `workspace/research/blob-${String(i).padStart(2, '0')}.bin`), randomBytes(FILE_KB * 1024))
    await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
    await throttle()
  })
  afterAll(async () => {
    await run('ip', ['link', 'set', DST_PORT, 'up'])
    await run('tc', ['qdisc', 'del', 'dev', DST_PORT, 'root'])
    rmSync(hostFsPath(DST, '/usr/local/bin/tar'), {force: true})
    const injected = outcomes.filter((o) => o.injected)
    const survived = injected.filter((o) => o.activatedAfterFault !== 'CORRUPT' && o.identical)
    const byKind = [...new Set(outcomes.map((o) => o.kind))].map((k) => {
      const of = outcomes.filter((o) => o.kind === k)
      return `| ${k} | ${of.length} | ${of.filter((o) => o.injected).length} | ${of.filter((o) => o.firstExit !== 0).length} | ${of.filter((o) => o.resumed).length} | ${of.filter((o) => o.activatedAfterFault === 'nothing').length} | ${of.filter((o) => o.identical).length} |`
    })
    writeSection({
      id: 'transport',
      title: 'Faults in transit (file driver)',
      figures: {trials: outcomes.length, faultsInjected: injected.length, faultsSurvived: survived.length, badInputs: 0, leaks: 0, seed: rng.seed},
      lines: [
        `A ${FILES} × ${FILE_KB} KiB incompressible deployment moves alice@ocvm-src → bob@ocvm-dst over a link throttled to 40 Mbit/s; each trial injects one fault at a seeded point of the transfer, then checks the target (nothing activated, or byte-identical to the source) and runs \`ocvm migrate --resume RUN\`, which must finish and be byte-identical.`,
        '',
        '| fault | trials | injected | run failed | resumed | nothing activated after the fault | byte-identical at the end |',
        '|---|---|---|---|---|---|---|',
        ...byKind,
        '',
        'tamper-ssh: a ProxyCommand relay flips one bit of the encrypted stream (ssh\'s MAC must drop the connection). tamper-after-ssh: a `tar` wrapper on the target flips one byte of one file after extraction, where only ocvm\'s SHA-256 verify can see it; the verify step must name the file, nothing may be activated, and `--resume` must send only that file again.',
        `Corrupted or half-activated targets: ${outcomes.filter((o) => o.activatedAfterFault === 'CORRUPT').length}.`,
      ],
    })
  })

  const trials = trialCount(4)
  it(`survives ${trials} seeded connection deaths: nothing activated, --resume finishes byte-identical`, async () => {
    for (let t = 0; t < trials; t++) {
      cleanTarget()
      const kind = KINDS[t % KINDS.length] ?? 'kill-ssh-target'
      const percent = rng.int(1, 8) * 10
      const extraMs = rng.int(0, 400)
      const {runs, tmp, env} = trialDirs('conn')
      const ocvm = launchOcvm(MIGRATE, env)
      const reached = await waitFor(ocvm, () => {
        const m = [...ocvm.output().stderr.matchAll(/state dir \[[#-]+\]\s+(\d+)%/g)].pop()
        return Number(m?.[1] ?? -1) >= percent
      })
      let injected = false
      if (reached) {
        await sleep(extraMs)
        injected = await inject(kind, ocvm.pid, tmp)
      }
      const timer = setTimeout(() => killPids([ocvm.pid]), 180_000)
      const firstExit = await ocvm.exited
      clearTimeout(timer)
      console.log(`[reliability] trial ${t}: ${kind} at ${percent}%+${extraMs}ms, injected=${injected}, exit ${firstExit}`)
      const after = targetAfterFault()
      // Recorded before the checks, so RELIABILITY.md counts a failed trial too.
      const outcome: Outcome = {kind, injected, firstExit, activatedAfterFault: after, resumed: false, identical: false}
      outcomes.push(outcome)
      expect(after, `trial ${t} (${kind}): target after the fault`).not.toBe('CORRUPT')
      // A failed run must not have activated anything (the commit comes after verify).
      if (firstExit !== 0) expect(after, ocvm.output().stderr).toBe('nothing')
      // No stack trace, ever: a clear error with a hint.
      if (firstExit !== 0) expect(ocvm.output().stderr).toMatch(/Hint: /)
      // A dead connection is a transfer failure the user resumes, never reported as a bug in ocvm.
      expect(ocvm.output().stderr).not.toMatch(/This is a bug in ocvm/)
      expect(ocvm.output().stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
      outcome.resumed = firstExit !== 0 ? await resume(runs, env) : false
      outcome.identical = sameTree()
      expect(outcome.identical, `trial ${t} (${kind}): byte-identical after resume`).toBe(true)
      expect(stagingDirs(dstHome())).toEqual([])
    }
    // The seeded points must actually hit transfers, or the trials prove nothing.
    expect(outcomes.filter((o) => o.injected).length).toBeGreaterThanOrEqual(Math.ceil(trials / 2))
  }, 1_800_000)

  it('a relay that flips one bit of the ssh stream: the connection dies, nothing is activated, --resume completes', async () => {
    cleanTarget()
    const {runs, tmp, env} = trialDirs('tamper')
    // The target is reached through the tampering relay: its Host block comes first, so its
    // ProxyCommand wins; everything else comes from the test hosts' config.
    const config = path.join(tmp, 'ssh_config')
    const relay = path.join(REPO_ROOT, 'test/reliability/tamper-relay.mjs')
    const flipAfter = rng.int(2, 8) * 1024 * 1024
    writeFileSync(config, `Host ${DST} ${infra().hosts.find((h) => h.name === DST)?.ip}\n  ProxyCommand ${process.execPath} ${relay} %h %p ${flipAfter}\n\n${readFileSync(infra().sshConfig, 'utf8')}`)
    const r = await runOcvm([...MIGRATE, '--json'], {env: {...env, OCVM_SSH_CONFIG: config}, timeoutMs: 300_000})
    const after = targetAfterFault()
    console.log(`[reliability] tamper-ssh after ${flipAfter} bytes: exit ${r.exitCode}`)
    const outcome: Outcome = {kind: 'tamper-ssh', injected: true, firstExit: r.exitCode, activatedAfterFault: after, resumed: false, identical: false}
    outcomes.push(outcome)
    expect(r.exitCode, r.stdout).not.toBe(0)
    expect(after).toBe('nothing')
    expect(r.json).toMatchObject({status: 'failed', error: {hint: expect.stringContaining('--resume')}})
    outcome.resumed = await resume(runs, env)
    outcome.identical = sameTree()
    expect(outcome.identical).toBe(true)
  }, 600_000)

  it('a byte flipped after ssh (on the target, after extraction): verify names the file, nothing is activated, --resume re-sends only it', async () => {
    cleanTarget()
    const {runs, env} = trialDirs('flip')
    const victim = `blob-${String(rng.int(0, FILES - 1)).padStart(2, '0')}.bin`
    const offset = rng.int(0, FILE_KB * 1024 - 1)
    const wrapper = installCorruptingUnpacker(victim, offset)
    try {
      const r = await runOcvm([...MIGRATE, '--json'], {env, timeoutMs: 300_000})
      expect(existsSync(wrapper), 'the corrupting wrapper ran').toBe(false)
      const after = targetAfterFault()
      const outcome: Outcome = {kind: 'tamper-after-ssh', injected: true, firstExit: r.exitCode, activatedAfterFault: after, resumed: false, identical: false}
      outcomes.push(outcome)
      expect(r.exitCode).toBe(1)
      expect(r.json).toMatchObject({status: 'failed', error: {code: 'verify-failed', message: expect.stringContaining(`differs workspace/research/${victim}`), hint: expect.stringContaining('Nothing was activated')}})
      expect(after).toBe('nothing')
      const runId = readJournal(runs)?.runId ?? ''
      const resumed = await runOcvm(['migrate', '--resume', runId, '--json'], {env, timeoutMs: 300_000})
      expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
      const t = (resumed.json as {transfer: {files: number; resumedFiles: number; wireBytes: number}}).transfer
      // Every file but the damaged one was already there intact: only it went over the wire again.
      expect(t.resumedFiles).toBe(t.files - 1)
      expect(t.wireBytes).toBeLessThan(2 * FILE_KB * 1024)
      outcome.resumed = true
      outcome.identical = sameTree()
      expect(outcome.identical).toBe(true)
    } finally {
      rmSync(wrapper, {force: true})
    }
  }, 600_000)
})
