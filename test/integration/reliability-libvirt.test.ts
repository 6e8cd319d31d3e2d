// Faults during `ocvm migrate --driver libvirt` between two real libvirtd hosts (test/infra/libvirt.sh,
// QEMU TCG, the tiny guest). After every fault the target may hold staging and nothing else (no
// domain is defined before the disks verified), and `--resume` must finish with disks that
// `qemu-img compare` finds identical to the source's; `--rollback` must give back a running source
// and leave nothing on the target. Faults: the connection dies mid-transfer (ssh processes killed,
// ocvm SIGKILLed) once the first disk has arrived; a tampering relay flips a bit of the ssh stream;
// a byte is flipped after ssh delivered it; ocvm is SIGKILLed at every step boundary in turn; the
// guest ignores the shutdown; the target's libvirtd does not answer; the target's disk fills up.
import {existsSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, infra, REPO_ROOT, resetHosts, run, runOcvm, sshCheck, sshExec, SRC} from '../infra/hosts.js'
import {installCorruptingUnpacker, killPids, launchOcvm, processes, readJournal, sleep, stepBegun, throttleTarget, trialDirs, unthrottleTarget, waitFor, type Launched} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'
import {seeded, trialCount} from '../reliability/seeded.js'
import {createDomain, type DomainSpec, domstate, image, libvirtDown, libvirtUp, lv, MiB, POOL, sameImage, startAndWait, type TestDomain, virsh, VIRSH, waitForConsole, waitUntilReady} from './libvirt-guest.js'

beforeAll(resetHosts)

const migrate = (vm: string, stopTimeout = 60) => ['migrate', '--driver', 'libvirt', '--vm', vm, '--from', `root@${SRC}`, '--to', `root@${DST}`, '--target-pool', POOL, '--stop-timeout', String(stopTimeout), '--yes', '--json']
// Where a run stages by default: beside the target pool's dir (/var/lib/libvirt/images), on its mount.
const staging = (runId: string) => lv(DST, 'lib', `ocvm-staging-${runId}`)

/** What the tests read from an image run's journal. */
interface ImageJournal {
  runId: string
  steps: Array<{name: string; status: string}>
  /** One per disk that has fully arrived. */
  facts?: Array<{relPath: string}>
}
/** What the tests read from `--json` of a finished run. */
interface RunResult {
  runId: string
  transfer?: {wireBytes: number; resumedFiles: number}
  steps?: Array<{name: string; startedAt?: string; finishedAt?: string}>
}
const journalOf = (runs: string) => readJournal<ImageJournal>(runs)

// Disks of the transfer trials: incompressible, so the throttle bounds the time each takes.
const VDA_DATA = 4 * MiB
const VDB_DATA = 12 * MiB
const rng = seeded('libvirt faults')

// Every step boundary of an image run; `stop` is hit once `virsh shutdown` runs, `import+` once the
// first volume exists on the target. CI runs a seeded sample of them (each costs two migrations);
// OCVM_RELIABILITY_TRIALS=10 or more runs them all.
const BOUNDARIES = ['preflight', 'stop', 'export', 'transfer', 'verify', 'import', 'import+', 'start', 'guest', 'hooks', 'report'] as const
type Boundary = (typeof BOUNDARIES)[number]
const PICKED: Boundary[] = (() => {
  const pool: Boundary[] = [...BOUNDARIES]
  const n = Math.min(trialCount(4), BOUNDARIES.length)
  const picked = new Set<Boundary>()
  while (picked.size < n) picked.add(pool.splice(rng.int(0, pool.length - 1), 1)[0] ?? 'report')
  return BOUNDARIES.filter((b) => picked.has(b))
})()

interface Row {
  fault: string
  injected: boolean
  firstExit: number
  /** A domain of that name on the target right after the fault (must never happen before verify). */
  definedAfterFault: boolean
  resumed: boolean
  identical: boolean
  /** Disks that had fully arrived and were not sent again by --resume. */
  notResent?: number
}
const rows: Row[] = []

interface StepRow {
  boundary: string
  killedIn: string
  resumeVerified: boolean
  rollbackRunning: boolean
  targetClean: boolean
}
const stepRows: StepRow[] = []
const refusals: Array<{what: string; ok: boolean}> = []

/** Nothing of the domain on the target: no definition, no volumes, no staging of the run. */
async function targetClean(d: TestDomain, runId?: string): Promise<boolean> {
  return (await domstate(DST, d.name)) === '' && !existsSync(image(DST, d.qcow2)) && !existsSync(image(DST, d.raw)) && !(runId && existsSync(staging(runId)))
}

/** The migrated domain runs on the target, with disks identical to the source's. */
async function migrated(d: TestDomain): Promise<boolean> {
  return (await domstate(DST, d.name)) === 'running' && (await sameImage(d.qcow2, SRC, DST)) && (await sameImage(d.raw, SRC, DST))
}

async function rollback(runId: string, env: Record<string, string>): Promise<void> {
  const r = await runOcvm(['migrate', '--rollback', runId, '--yes', '--json'], {env, timeoutMs: 300_000})
  expect(r.exitCode, r.stderr + r.stdout).toBe(0)
}

async function resume(runId: string, env: Record<string, string>): Promise<RunResult> {
  const r = await runOcvm(['migrate', '--resume', runId, '--json'], {env, timeoutMs: 300_000})
  expect(r.exitCode, r.stderr + r.stdout).toBe(0)
  expect(r.json).toMatchObject({status: 'ok'})
  console.log(`[reliability] resumed ${runId}: ${stepTimes(r.json as RunResult)}`)
  return r.json as RunResult
}

/** `transfer 1.2s, guest 5.0s, ...` from a run's --json, for the log. */
function stepTimes(result: RunResult): string {
  return (result.steps ?? []).filter((x) => x.startedAt && x.finishedAt).map((x) => `${x.name} ${((Date.parse(x.finishedAt ?? '') - Date.parse(x.startedAt ?? '')) / 1000).toFixed(1)}s`).join(', ')
}

/** SIGKILLs ocvm at most after `ms` (a run that hangs must not hang the suite). */
async function exitOf(ocvm: Launched, ms = 240_000): Promise<number> {
  const timer = setTimeout(() => killPids([ocvm.pid]), ms)
  const code = await ocvm.exited
  clearTimeout(timer)
  return code
}

/** A failed run explains itself (--json): an error code, message and hint, never a stack trace or "a bug in ocvm". */
function expectClearFailure(out: {stdout: string; stderr: string}): void {
  const {error} = JSON.parse(out.stdout) as {error?: {code?: string; message?: string; hint?: string}}
  expect(error?.code, out.stdout).toMatch(/^[a-z-]+$/)
  expect(error?.code).not.toBe('bug')
  expect(error?.message).toBeTruthy()
  expect(error?.hint, out.stdout).toBeTruthy()
  expect(out.stdout + out.stderr).not.toMatch(/This is a bug in ocvm/)
  expect(out.stdout + out.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
}

const since = (t: number) => `${((Date.now() - t) / 1000).toFixed(1)}s`

describe('faults during `ocvm migrate --driver libvirt`', () => {
  let xfer: TestDomain
  let stepsA: TestDomain
  let stepsB: TestDomain
  let stubborn: TestDomain

  beforeAll(async () => {
    await libvirtUp()
    xfer = await createDomain('xfer', 'xfer', {
      qcow2: {capacity: '256M', data: [[0, VDA_DATA, 'random']]},
      raw: {capacity: '256M', data: [[16 * MiB, VDB_DATA, 'random']]},
    })
    const small: DomainSpec = {qcow2: {capacity: '64M', data: [[0, 2 * MiB, 0xab], [40 * MiB, 1 * MiB, 0xcd]]}, raw: {capacity: '16M', data: [[0, 1 * MiB, 0x5a]]}}
    stepsA = await createDomain('steps-a', 'steps-a', small)
    stepsB = await createDomain('steps-b', 'steps-b', small)
    // No ACPI, no agent: `virsh shutdown` reaches nothing in this guest.
    stubborn = await createDomain('stubborn', 'stubborn', {acpi: false, agent: false})
    await Promise.all([startAndWait(SRC, stepsB), virsh(SRC, 'start --domain stubborn')])
    await waitForConsole(SRC, stubborn.console, 'OCVM-GUEST: ready')
  }, 300_000)

  afterAll(async () => {
    await unthrottleTarget()
    const faults = rows.filter((r) => r.injected)
    const survivedRows = faults.filter((r) => !r.definedAfterFault && r.identical)
    const stepOk = stepRows.filter((r) => r.resumeVerified && r.rollbackRunning && r.targetClean)
    const byFault = [...new Set(rows.map((r) => r.fault))].map((f) => {
      const of = rows.filter((r) => r.fault === f)
      const n = (p: (r: Row) => boolean) => of.filter(p).length
      return `| ${f} | ${of.length} | ${n((r) => r.injected)} | ${n((r) => r.firstExit !== 0)} | ${n((r) => r.definedAfterFault)} | ${n((r) => r.resumed)} | ${n((r) => r.identical)} | ${of.map((r) => r.notResent ?? '-').join(', ')} |`
    })
    writeSection({
      id: 'libvirt',
      title: 'Faults during a libvirt VM migration (real libvirtd + QEMU on both hosts)',
      figures: {
        trials: rows.length + stepRows.length * 2 + refusals.length,
        faultsInjected: faults.length + stepRows.length * 2 + refusals.length,
        faultsSurvived: survivedRows.length + stepOk.length * 2 + refusals.filter((r) => r.ok).length,
        badInputs: 0,
        leaks: 0,
        seed: rng.seed,
      },
      lines: [
        `\`ocvm migrate --driver libvirt\` moves a domain of the tiny test guest between the libvirtd of ocvm-src and that of ocvm-dst (\`test/infra/libvirt.sh\`). Disks of the transfer trials: a qcow2 (vda) holding ${VDA_DATA / MiB} MiB and a raw disk (vdb) holding ${VDB_DATA / MiB} MiB of random data, 256 MiB virtual each, over a link throttled to 40 Mbit/s. Each fault is injected once the first disk has fully arrived (the journal records it), at a seeded delay into the second. After the fault no domain may be defined on the target; \`--resume RUN\` must finish with the domain running on the target, \`qemu-img compare\` must find both disks identical to the source's, and the disk that had arrived must not be sent again (the run's transfer record).`,
        '',
        '| fault | trials | injected | run failed | domain defined after the fault | resumed | disks identical at the end | disks not sent again by --resume |',
        '|---|---|---|---|---|---|---|---|',
        ...byFault,
        '',
        'tamper-ssh: a ProxyCommand relay flips one bit of the encrypted stream into ocvm-dst (ssh\'s MAC must drop the connection). tamper-after-ssh: a wrapper of the disk receiver (python3) on ocvm-dst flips one byte of one staged disk after it was unpacked, where only ocvm\'s checksums can see it: the verify step must name the disk, nothing may be defined, and `--resume` must send that disk again and only it.',
        '',
        `ocvm SIGKILLed at step boundaries (${stepRows.length} of the ${BOUNDARIES.length}: a seeded sample, all of them with OCVM_RELIABILITY_TRIALS=${BOUNDARIES.length}), found by watching the journal; \`stop\` is hit once \`virsh shutdown\` is on its way, \`import+\` once the first volume exists on the target. A: the run is resumed (domain running on the target, disks identical, staging removed). B: a run of a running source domain, killed at the same point at the same time, is rolled back: the source must run again and the target hold no domain, volume or staging.`,
        '',
        '| boundary | journal showed at the kill | A: resume verified | B: rollback → source running | B: target clean |',
        '|---|---|---|---|---|',
        ...stepRows.map((r) => `| ${r.boundary} | ${r.killedIn} | ${r.resumeVerified ? 'yes' : 'NO'} | ${r.rollbackRunning ? 'yes' : 'NO'} | ${r.targetClean ? 'yes' : 'NO'} |`),
        '',
        `Refused with a clear error, exit 1, source untouched and nothing on the target: ${refusals.map((r) => `${r.what} (${r.ok ? 'yes' : 'NO'})`).join('; ')}. Name collisions, a missing pool and an unknown domain are covered by \`migrate-libvirt.test.ts\`.`,
      ],
    })
    await libvirtDown()
  })

  it('refuses a guest that ignores the shutdown (no --force-stop) and a target whose libvirtd does not answer', async () => {
    const {env} = trialDirs('lv-refuse')
    const stop = await runOcvm(migrate('stubborn', 3), {env, timeoutMs: 180_000})
    const ok1 = stop.exitCode === 1 && (await domstate(SRC, 'stubborn')) === 'running' && (await targetClean(stubborn))
    refusals.push({what: 'a running guest that ignores `virsh shutdown`, without --force-stop', ok: ok1})
    expect(stop.exitCode, stop.stdout).toBe(1)
    expect(stop.json).toMatchObject({status: 'failed', error: {code: 'stop-timeout', hint: expect.stringContaining('--force-stop')}})
    expect(await domstate(SRC, 'stubborn')).toBe('running')
    expect(await targetClean(stubborn)).toBe(true)
    expectClearFailure(stop)

    // The target's libvirtd socket moved away: libvirtd is as good as down for virsh there.
    const sock = lv(DST, 'run', 'libvirt-sock')
    renameSync(sock, `${sock}.ocvm-test-off`)
    try {
      const down = await runOcvm(migrate(stepsB.name), {env, timeoutMs: 180_000})
      const ok2 = down.exitCode === 1 && (await domstate(SRC, stepsB.name)) === 'running'
      refusals.push({what: 'a target whose libvirtd does not answer', ok: ok2})
      expect(down.exitCode, down.stdout).toBe(1)
      expect(down.json).toMatchObject({error: {code: 'driver-unavailable', message: expect.stringMatching(/ocvm-dst|10\.250\.0\.3/)}})
      expect((down.json as {error: {message: string}}).error.message).toMatch(/libvirt/)
      expectClearFailure(down)
      // Found in preflight: the source was never stopped.
      expect(await domstate(SRC, stepsB.name)).toBe('running')
    } finally {
      renameSync(`${sock}.ocvm-test-off`, sock)
    }
    expect(await targetClean(stepsB)).toBe(true)
  }, 300_000)

  const KINDS = ['kill-ssh-target', 'kill-ssh-source', 'sigkill-ocvm'] as const
  const trials = trialCount(KINDS.length)
  it(`survives ${trials} connection deaths mid-transfer: nothing defined, --resume sends only the unfinished disk`, async () => {
    await throttleTarget()
    try {
      for (let t = 0; t < trials; t++) {
        const kind = KINDS[t % KINDS.length] ?? 'sigkill-ocvm'
        const extraMs = rng.int(0, 1500)
        const {runs, env} = trialDirs('lv-xfer')
        const ocvm = launchOcvm(migrate(xfer.name), env)
        // The journal records a disk as soon as it has arrived: then the second one is on its way.
        const reached = await waitFor(ocvm, () => (journalOf(runs)?.facts?.length ?? 0) >= 1)
        let injected = false
        if (reached) {
          await sleep(extraMs)
          const procs = processes()
          const ssh = (needle: string) => procs.filter((p) => p.ppid === ocvm.pid && p.cmdline.startsWith('ssh') && p.cmdline.includes(needle)).map((p) => p.pid)
          injected = kind === 'sigkill-ocvm' ? killPids([ocvm.pid]) > 0 : killPids(ssh(kind === 'kill-ssh-target' ? 'tar -xpf' : 'OCVM-PROGRESS')) > 0
          // Only a hit while the second disk was still on its way counts.
          injected &&= journalOf(runs)?.facts?.length === 1
        }
        const firstExit = await exitOf(ocvm)
        console.log(`[reliability] libvirt trial ${t}: ${kind} +${extraMs}ms, injected=${injected}, exit ${firstExit}`)
        const runId = journalOf(runs)?.runId ?? ''
        const row: Row = {fault: kind, injected, firstExit, definedAfterFault: firstExit !== 0 && (await domstate(DST, xfer.name)) !== '', resumed: false, identical: false}
        rows.push(row)
        expect(row.definedAfterFault, 'a domain was defined before its disks verified').toBe(false)
        if (firstExit !== 0 && kind !== 'sigkill-ocvm') expectClearFailure(ocvm.output())
        if (firstExit !== 0) {
          const done = await resume(runId, env)
          row.resumed = true
          // vda had arrived intact: --resume sent vdb only.
          row.notResent = done.transfer?.resumedFiles
          if (injected) {
            expect(done.transfer?.resumedFiles).toBe(1)
            expect(done.transfer?.wireBytes).toBeLessThan(VDB_DATA + VDA_DATA / 2)
          }
        }
        row.identical = await migrated(xfer)
        expect(row.identical, 'the domain runs on the target with identical disks').toBe(true)
        expect(existsSync(staging(runId))).toBe(false)
        await rollback(runId, env)
        expect(await targetClean(xfer, runId)).toBe(true)
      }
      // The seeded points must actually hit transfers, or the trials prove nothing.
      expect(rows.filter((r) => r.injected).length).toBeGreaterThanOrEqual(Math.ceil(trials / 2))
    } finally {
      await unthrottleTarget()
    }
  }, 1_800_000)

  it('a relay that flips one bit of the ssh stream: the connection dies, nothing is defined, --resume completes', async () => {
    const {runs, tmp, env} = trialDirs('lv-tamper')
    const config = path.join(tmp, 'ssh_config')
    const relay = path.join(REPO_ROOT, 'test/reliability/tamper-relay.mjs')
    const flipAfter = rng.int(1, 14) * MiB
    // ocvm-dst is reached through the relay: its Host block comes first, so its ProxyCommand wins.
    writeFileSync(config, `Host ${DST} ${infra().hosts.find((h) => h.name === DST)?.ip}\n  ProxyCommand ${process.execPath} ${relay} %h %p ${flipAfter}\n\n${readFileSync(infra().sshConfig, 'utf8')}`)
    // Staging on the pool's filesystem (as /var/tmp is where both are on the root filesystem): the
    // import then links the verified image into the pool instead of copying it.
    const stagingDir = `/var/lib/libvirt/ocvm-staging-${path.basename(tmp)}`
    const r = await runOcvm([...migrate(xfer.name), '--staging-dir', stagingDir], {env: {...env, OCVM_SSH_CONFIG: config}, timeoutMs: 300_000})
    console.log(`[reliability] libvirt tamper-ssh after ${flipAfter} bytes: exit ${r.exitCode}`)
    const runId = journalOf(runs)?.runId ?? ''
    const row: Row = {fault: 'tamper-ssh', injected: true, firstExit: r.exitCode, definedAfterFault: (await domstate(DST, xfer.name)) !== '', resumed: false, identical: false}
    rows.push(row)
    expect(r.exitCode, r.stdout).toBe(1)
    expect(r.json).toMatchObject({status: 'failed', error: {hint: expect.stringContaining('--resume')}})
    expect(row.definedAfterFault).toBe(false)
    expectClearFailure(r)
    await resume(runId, env)
    row.resumed = true
    row.identical = await migrated(xfer)
    expect(row.identical).toBe(true)
    expect(existsSync(lv(DST, 'lib', path.basename(stagingDir)))).toBe(false)
    await rollback(runId, env)
    expect(await targetClean(xfer, runId)).toBe(true)
  }, 600_000)

  it('a byte flipped after ssh delivered it: verify names the disk before anything is defined, --resume sends only that disk again', async () => {
    const {runs, env} = trialDirs('lv-flip')
    const victim = rng.pick([xfer.qcow2, xfer.raw])
    const relPath = `disks/${victim === xfer.qcow2 ? 'vda' : 'vdb'}/${victim}`
    const offset = victim === xfer.qcow2 ? rng.int(1 * MiB, VDA_DATA - 1) : rng.int(16 * MiB, 16 * MiB + VDB_DATA - 1)
    const wrapper = installCorruptingUnpacker(victim, offset, 'python3')
    try {
      const r = await runOcvm(migrate(xfer.name), {env, timeoutMs: 300_000})
      expect(existsSync(wrapper), 'the corrupting wrapper ran').toBe(false)
      const runId = journalOf(runs)?.runId ?? ''
      const row: Row = {fault: 'tamper-after-ssh', injected: true, firstExit: r.exitCode, definedAfterFault: (await domstate(DST, xfer.name)) !== '', resumed: false, identical: false}
      rows.push(row)
      expect(r.exitCode, r.stdout).toBe(1)
      expect(r.json).toMatchObject({status: 'failed', error: {code: 'verify-failed', message: expect.stringContaining(relPath), hint: expect.stringContaining('Nothing was activated')}})
      expect(row.definedAfterFault).toBe(false)
      expect(existsSync(image(DST, victim)), 'no volume before the disks verified').toBe(false)
      // Staging stays for --resume: the intact disk is not sent again.
      expect(existsSync(path.join(staging(runId), relPath))).toBe(true)
      const done = await resume(runId, env)
      row.resumed = true
      row.notResent = done.transfer?.resumedFiles
      expect(done.transfer?.resumedFiles).toBe(1)
      expect(done.transfer?.wireBytes).toBeLessThan((victim === xfer.qcow2 ? VDA_DATA : VDB_DATA) + 4 * MiB)
      row.identical = await migrated(xfer)
      expect(row.identical).toBe(true)
      await rollback(runId, env)
      expect(await targetClean(xfer, runId)).toBe(true)
    } finally {
      rmSync(wrapper, {force: true})
    }
  }, 600_000)

  // The B source reboots after each rollback while A runs; an error is kept until the next B needs it.
  let sourceBReady: Promise<unknown> = Promise.resolve()

  /** Starts a migration of `d` and SIGKILLs it at `boundary`; returns the runs dir, env and run id (none if killed in preflight). */
  async function killAt(d: TestDomain, boundary: Boundary, prefix: string): Promise<{env: Record<string, string>; runId?: string; at: string}> {
    const {runs, env} = trialDirs(prefix)
    const ocvm = launchOcvm(migrate(d.name), env)
    const ready: Record<string, () => boolean> = {
      preflight: () => processes().some((p) => p.ppid === ocvm.pid && p.cmdline.startsWith('ssh')),
      // The shutdown request is on its way (its virsh runs): the guest goes down whatever happens to ocvm.
      stop: () => processes().some((p) => p.ppid === ocvm.pid && p.cmdline.startsWith('ssh') && / shutdown --domain /.test(p.cmdline)),
      'import+': () => existsSync(image(DST, d.qcow2)),
    }
    const hit = await waitFor(ocvm, ready[boundary] ?? (() => stepBegun(runs, boundary)))
    killPids([ocvm.pid])
    const code = await ocvm.exited
    expect(hit, `ocvm ended before ${boundary}: ${ocvm.output().stderr}`).toBe(true)
    expect(code).toBe(137)
    const j = journalOf(runs)
    if (boundary === 'preflight') expect(j, 'killed in preflight, before any journal').toBeUndefined()
    const at = !j ? 'preflight (no journal yet)' : j.steps.find((s) => s.status === 'running')?.name ?? `${[...j.steps].reverse().find((s) => s.status === 'done')?.name ?? '?'} (done)`
    return {env, ...(j ? {runId: j.runId} : {}), at}
  }

  /** B: the running source killed at `boundary`, then rolled back: running again, nothing on the target. */
  async function killThenRollback(boundary: Boundary, row: StepRow): Promise<void> {
    const t0 = Date.now()
    const notReady = await sourceBReady
    if (notReady) throw notReady
    expect(await domstate(SRC, stepsB.name)).toBe('running')
    const b = await killAt(stepsB, boundary, `lv-step-b-${boundary}`)
    row.killedIn = b.at
    // Nothing is defined on the target before the import step.
    if (BOUNDARIES.indexOf(boundary) < BOUNDARIES.indexOf('import')) expect(await domstate(DST, stepsB.name)).toBe('')
    const tb = Date.now()
    if (b.runId) await rollback(b.runId, b.env)
    console.log(`[reliability] libvirt ${boundary} B: killed in ${b.at} after ${((tb - t0) / 1000).toFixed(1)}s, rollback ${since(tb)}`)
    row.rollbackRunning = (await domstate(SRC, stepsB.name)) === 'running'
    expect(row.rollbackRunning, 'the source runs again').toBe(true)
    row.targetClean = await targetClean(stepsB, b.runId)
    expect(row.targetClean, 'nothing of the run on the target').toBe(true)
    // The next B run needs a guest that answers the shutdown: it boots meanwhile.
    sourceBReady = waitUntilReady(SRC, stepsB.name).then(() => undefined, (error: unknown) => error)
  }

  /** A: killed at `boundary`, then resumed: running on the target with identical disks (a stopped source, except where the stop is what is hit). */
  async function killThenResume(boundary: Boundary, row: StepRow): Promise<void> {
    let t = Date.now()
    if (boundary === 'preflight' || boundary === 'stop') await startAndWait(SRC, stepsA)
    const a = await killAt(stepsA, boundary, `lv-step-a-${boundary}`)
    console.log(`[reliability] libvirt ${boundary} A: killed in ${a.at} after ${since(t)}`)
    t = Date.now()
    if (a.runId) {
      await resume(a.runId, a.env)
    } else {
      // Killed in preflight: nothing happened anywhere; a new run is the recovery.
      expect(await targetClean(stepsA)).toBe(true)
      const again = await runOcvm(migrate(stepsA.name), {env: a.env, timeoutMs: 300_000})
      expect(again.exitCode, again.stderr + again.stdout).toBe(0)
      a.runId = (again.json as RunResult).runId
    }
    row.resumeVerified = (await migrated(stepsA)) && !existsSync(staging(a.runId))
    expect(row.resumeVerified, 'the domain runs on the target with identical disks, staging removed').toBe(true)
    console.log(`[reliability] libvirt ${boundary} A: resumed in ${since(t)}`)
    // Rollback after a finished run is what the transfer trials end with; here the target is just emptied.
    await sshExec(DST, `${VIRSH} destroy --domain steps-a; ${VIRSH} undefine --domain steps-a --remove-all-storage`)
    expect(await targetClean(stepsA, a.runId)).toBe(true)
    if ((await domstate(SRC, stepsA.name)) === 'running') await virsh(SRC, 'destroy --domain steps-a')
  }

  for (const boundary of PICKED) {
    it(`ocvm SIGKILLed at ${boundary}: --resume completes with identical disks; --rollback gives back a running source and a clean target`, async () => {
      const row: StepRow = {boundary, killedIn: '-', resumeVerified: false, rollbackRunning: false, targetClean: false}
      stepRows.push(row)
      // Two domains, two runs at once: A and B do not share anything but the hosts.
      const [b, a] = await Promise.allSettled([killThenRollback(boundary, row), killThenResume(boundary, row)])
      for (const r of [b, a]) if (r.status === 'rejected') throw r.reason
    }, 600_000)
  }
  // The staging dir on ocvm-dst is on a 48 MiB tmpfs (mounted in that host's mount namespace only):
  // enough for preflight's check (16 MiB of disk data + 10 %), and a filler on ocvm-dst writes zeros
  // into the rest as soon as the staging dir appears, as another process on the same disk would. The
  // link is throttled, so the disks are still on their way when the filesystem is full.
  it('a target disk that fills up mid-transfer: clear error naming the host, staging removed, nothing defined, source disks unchanged, --rollback restarts it', async () => {
    const mnt = '/var/tmp/ocvm-it-lvfull'
    const stagingDir = `${mnt}/staging`
    const sha = async () => (await run('sha256sum', [image(SRC, xfer.qcow2), image(SRC, xfer.raw)])).stdout
    const before = await sha()
    await sshCheck(DST, `mkdir -p ${mnt} && { ! mountpoint -q ${mnt} || umount ${mnt}; } && mount -t tmpfs -o size=48m,mode=0700 ocvm-it-lvfull ${mnt}`)
    const filler = (await sshCheck(DST, `(while [ ! -d ${stagingDir} ]; do sleep 0.02; done; dd if=/dev/zero of=${mnt}/filler bs=1M >/dev/null 2>&1) >/dev/null 2>&1 </dev/null & echo $!`)).trim()
    let ok = false
    try {
      await startAndWait(SRC, xfer)
      await throttleTarget()
      const {runs, env} = trialDirs('lv-full')
      // Without --json: what a user reads on stderr.
      const r = await runOcvm([...migrate(xfer.name).filter((a) => a !== '--json'), '--staging-dir', stagingDir], {env, timeoutMs: 300_000})
      await unthrottleTarget()
      const runId = journalOf(runs)?.runId ?? ''
      console.log(`[reliability] libvirt disk full: exit ${r.exitCode}\n${r.stderr}`)
      expect(r.exitCode, r.stdout + r.stderr).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`^Error: target disk full on ssh://root@${DST}: writing .* into ${stagingDir}\\S* failed after [^(]+ \\(.* free on ${mnt}\\)`, 'm'))
      expect(r.stderr).toMatch(/^Hint: Nothing was defined on ssh:\/\/root@ocvm-dst and the staging dir is removed.*--staging-dir.*--rollback/m)
      expect(r.stdout + r.stderr).not.toMatch(/This is a bug in ocvm/)
      expect(r.stdout + r.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
      // Only the filler is left on the small filesystem; no domain, no volume on the target.
      expect((await sshCheck(DST, `ls -A ${mnt}`)).split('\n').filter(Boolean)).toEqual(['filler'])
      expect(await targetClean(xfer, runId)).toBe(true)
      expect(await virsh(DST, `vol-list --pool ${POOL}`)).not.toMatch(/xfer/)
      // The source was shut down for the copy (as documented) and its disks are as they were.
      expect(await domstate(SRC, xfer.name)).toBe('shut off')
      expect(await sha()).toBe(before)
      await rollback(runId, env)
      expect(await domstate(SRC, xfer.name)).toBe('running')
      expect(await targetClean(xfer, runId)).toBe(true)
      ok = true
    } finally {
      refusals.push({what: 'a target whose disk fills up mid-transfer (staging removed, source disks unchanged, `--rollback` restarts it)', ok})
      await unthrottleTarget()
      await sshExec(DST, `kill ${filler} 2>/dev/null; umount ${mnt}; rmdir ${mnt}; true`)
      if ((await domstate(SRC, xfer.name)) === 'running') await virsh(SRC, `destroy --domain ${xfer.name}`)
    }
  }, 600_000)
})
