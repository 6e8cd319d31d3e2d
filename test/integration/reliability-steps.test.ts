// ocvm itself SIGKILLed at every step boundary of `ocvm migrate --driver file`, observed from the
// outside: the test watches the run's journal (rewritten atomically at every step change) and kills
// the process as soon as the wanted step has begun. Then, per boundary:
//   A. `--resume RUN` completes from the journal and the target verifies against the source;
//   B. (a second run killed at the same boundary) `--rollback RUN` gives back a running source
//      gateway (the real `openclaw gateway run`) and takes everything off the target.
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, resetHosts, runOcvm, sshCheck, sshExec, SRC} from '../infra/hosts.js'
import {baselineDeployment, killPids, launchOcvm, readJournal, sleep, stagingDirs, stepBegun, trialDirs, treeDigest, waitFor, type Journal} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'
import {manifestHashes} from '../helpers/tree-digest.js'

beforeAll(resetHosts)

// --skip-hooks: these hosts have no init system; the hooks have their own suite (hooks.test.ts).
const MIGRATE = ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--skip-hooks', '--yes']
const BOUNDARIES = ['preflight', 'quiesce', 'transfer', 'verify', 'rewrite', 'commit', 'permissions', 'report'] as const
const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const dstHome = () => hostFsPath(DST, '/home/bob')
const dstState = () => hostFsPath(DST, '/home/bob/.openclaw')

interface Row {
  boundary: string
  killedIn: string
  resumeVerified: boolean
  rollbackRunning: boolean
  targetClean: boolean
}
const rows: Row[] = []

/** The source gateway answers /health (a process that exists but refused to start does not count). */
async function gatewayRunning(): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    if ((await sshExec(SRC, 'curl -s --max-time 2 http://127.0.0.1:18789/health')).stdout.includes('"ok":true')) return true
    await sleep(500)
  }
  return false
}

/** What the source gateway said, for a failure message (rollback starts it logging into the state dir). */
async function gatewayLog(): Promise<string> {
  return (await sshExec(SRC, 'tail -n 30 /home/alice/.openclaw/logs/gateway.log; ps -u alice -o pid,args')).stdout
}

async function startSourceGateway(): Promise<void> {
  if ((await sshExec(SRC, "pgrep -u alice -f 'openclaw' >/dev/null")).exitCode !== 0) {
    await sshCheck(SRC, 'cd ~ && mkdir -p .openclaw/logs && (nohup openclaw gateway run >>.openclaw/logs/gateway.log 2>&1 &); sleep 1', {user: 'alice'})
  }
  expect(await gatewayRunning(), await gatewayLog()).toBe(true)
}

/** The step the journal showed as running when ocvm died (or where it stood). */
function killedIn(j: Journal | undefined): string {
  if (!j) return 'preflight (no journal yet)'
  return j.steps.find((s) => s.status === 'running')?.name ?? `${[...j.steps].reverse().find((s) => s.status === 'done')?.name ?? '?'} (done)`
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')

/**
 * The target equals the final source manifest of the run: every file byte-identical, except files
 * whose old paths were rewritten, which must equal the source with /home/alice → /home/bob. Nothing more.
 */
function verifyTarget(runs: string): void {
  const j = readJournal(runs)
  expect(j?.status).toBe('completed')
  const manifest = manifestHashes(runs, j?.runId ?? '')
  const got = treeDigest(dstState())
  expect([...got.keys()].sort()).toEqual([...manifest.keys()].sort())
  for (const [file, expected] of manifest) {
    if (got.get(file) === expected) continue
    const source = readFileSync(path.join(srcState(), file), 'utf8')
    expect(sha(source), `${file}: the source changed after the stop`).toBe(expected)
    const target = readFileSync(path.join(dstState(), file), 'utf8')
    expect(target, `${file} differs from the source beyond the path rewrite`).toBe(source.replaceAll('/home/alice', '/home/bob'))
  }
}

function cleanTarget(): void {
  for (const e of existsSync(dstHome()) ? readdirSync(dstHome()) : []) {
    if (e.startsWith('.openclaw') || e.startsWith('.ocvm-staging-')) rmSync(path.join(dstHome(), e), {recursive: true, force: true})
  }
}

/** Starts a migration and SIGKILLs it once `boundary` has begun; returns the runs dir and env. */
async function killAt(boundary: string): Promise<{runs: string; env: Record<string, string>; at: string}> {
  const {runs, env} = trialDirs(`step-${boundary}`)
  const ocvm = launchOcvm(MIGRATE, env)
  const ready = boundary === 'preflight' ? () => /Probing target/.test(ocvm.output().stderr) : () => stepBegun(runs, boundary)
  const hit = await waitFor(ocvm, ready)
  killPids([ocvm.pid])
  const code = await ocvm.exited
  expect(hit, `ocvm ended before ${boundary}: ${ocvm.output().stderr}`).toBe(true)
  expect(code).toBe(137)
  return {runs, env, at: killedIn(readJournal(runs))}
}

describe('ocvm SIGKILLed at every step boundary', () => {
  beforeAll(async () => {
    await baselineDeployment('ocvm-rel-steps-token', {count: 8, bytes: 256 * 1024})
  }, 300_000)

  afterAll(async () => {
    await sshExec(SRC, 'pkill -u alice -f openclaw; true')
    const ok = rows.filter((r) => r.resumeVerified && r.rollbackRunning && r.targetClean)
    writeSection({
      id: 'steps',
      title: 'ocvm SIGKILLed at every step boundary (file driver)',
      figures: {trials: rows.length * 2, faultsInjected: rows.length * 2, faultsSurvived: ok.length * 2, badInputs: 0, leaks: 0},
      lines: [
        'A deployment made by `openclaw setup --baseline` with its real gateway running moves alice@ocvm-src → bob@ocvm-dst. For each step the test watches the journal and SIGKILLs ocvm as soon as the step has begun (A), then `--resume` must complete and the target must equal the source manifest (rewritten paths aside), and `--rollback` of that run must start the source gateway again; a second run killed at the same point (B) is rolled back directly: the source gateway must run again and nothing may stay on the target (no state dir, no staging).',
        '',
        '| boundary | journal showed at the kill | A: resume verified | B: rollback → source gateway running | B: target clean |',
        '|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.boundary} | ${r.killedIn} | ${r.resumeVerified ? 'yes' : 'NO'} | ${r.rollbackRunning ? 'yes' : 'NO'} | ${r.targetClean ? 'yes' : 'NO'} |`),
      ],
    })
  })

  for (const boundary of BOUNDARIES) {
    it(`killed at ${boundary}: --resume completes and verifies; --rollback gives back a running source`, async () => {
      // Recorded before anything can fail, so RELIABILITY.md counts failed boundaries too.
      const row: Row = {boundary, killedIn: '-', resumeVerified: false, rollbackRunning: false, targetClean: false}
      rows.push(row)
      cleanTarget()
      await startSourceGateway()

      // A: kill, then resume.
      const a = await killAt(boundary)
      row.killedIn = a.at
      const j = readJournal(a.runs)
      // Before the commit step nothing may be active on the target.
      if (BOUNDARIES.indexOf(boundary) < BOUNDARIES.indexOf('commit')) expect(existsSync(dstState())).toBe(false)
      if (j) {
        const r = await runOcvm(['migrate', '--resume', j.runId, '--json'], {env: a.env, timeoutMs: 300_000})
        expect(r.exitCode, r.stderr + r.stdout).toBe(0)
        verifyTarget(a.runs)
        const back = await runOcvm(['migrate', '--rollback', j.runId, '--yes', '--json'], {env: a.env, timeoutMs: 120_000})
        expect(back.exitCode, back.stderr + back.stdout).toBe(0)
      } else {
        // Killed inside preflight: no journal, nothing on the target, the source untouched. A new run is the recovery.
        expect(existsSync(dstState())).toBe(false)
        expect(stagingDirs(dstHome())).toEqual([])
        expect(await gatewayRunning(), await gatewayLog()).toBe(true)
        const r = await runOcvm([...MIGRATE, '--json'], {env: a.env, timeoutMs: 300_000})
        expect(r.exitCode, r.stderr + r.stdout).toBe(0)
        verifyTarget(a.runs)
        const back = await runOcvm(['migrate', '--rollback', readJournal(a.runs)?.runId ?? '', '--yes', '--json'], {env: a.env, timeoutMs: 120_000})
        expect(back.exitCode, back.stderr + back.stdout).toBe(0)
      }
      row.resumeVerified = true
      expect(await gatewayRunning(), await gatewayLog()).toBe(true)
      cleanTarget()

      // B: kill at the same point, then roll back.
      const b = await killAt(boundary)
      const jb = readJournal(b.runs)
      if (jb) {
        const back = await runOcvm(['migrate', '--rollback', jb.runId, '--yes', '--json'], {env: b.env, timeoutMs: 120_000})
        expect(back.exitCode, back.stderr + back.stdout).toBe(0)
      }
      const rollbackRunning = await gatewayRunning()
      expect(rollbackRunning, await gatewayLog()).toBe(true)
      const targetClean = !existsSync(dstState()) && stagingDirs(dstHome()).length === 0
      expect(targetClean, readdirSync(dstHome()).join(' ')).toBe(true)
      Object.assign(row, {rollbackRunning, targetClean})
      cleanTarget()
    }, 900_000)
  }
})
