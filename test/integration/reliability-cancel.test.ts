// Ctrl-C (SIGINT) sent to `ocvm migrate --driver file` at a seeded set of points: as soon as each
// step has begun, and in the middle of the transfer (the link into ocvm-dst throttled, the signal
// a seeded delay after the transfer began). At every point:
//   - ocvm exits 130 and prints where it stopped, what its cleanup did, and the exact `--resume`
//     and `--rollback` commands;
//   - no process of the run is left, here or on the hosts (the ssh masters, both ends of a stream);
//   - before the commit point the source gateway (the real `openclaw gateway run`) answers /health
//     again and nothing is in service on the target; after it, the target holds the copy;
//   - never two gateways of the deployment at once (the target's is never started: --skip-hooks);
//   - then `--resume` completes and the target equals the source manifest, and `--rollback --yes`
//     gives the source back.
import {existsSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, resetHosts, runOcvm, sshCheck, sshExec, SRC} from '../infra/hosts.js'
import {baselineDeployment, killPids, launchOcvm, processes, readJournal, sleep, stagingDirs, stepBegun, throttleTarget, trialDirs, unthrottleTarget, waitFor, type Journal} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'
import {seeded} from '../reliability/seeded.js'
import {manifestHashes, treeDigest} from '../helpers/tree-digest.js'

beforeAll(resetHosts)

const MIGRATE = ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--skip-hooks', '--yes']
// The mid-transfer delay comes from the suite's seed (replay with OCVM_RELIABILITY_SEED=<seed>).
const rng = seeded('cancel')
const SEED = rng.seed
/** Where the signal is sent: a step as soon as it began; `quiesce-stopping` once the stop is journaled (the gateway on its way down); `transfer-mid` a seeded delay into the transfer. */
const POINTS = ['quiesce', 'quiesce-stopping', 'transfer', 'transfer-mid', 'verify', 'rewrite', 'commit', 'permissions'] as const
const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const dstHome = () => hostFsPath(DST, '/home/bob')
const dstState = () => hostFsPath(DST, '/home/bob/.openclaw')

interface Row {
  point: string
  cancelledIn: string
  exit: number
  hinted: boolean
  noChildren: boolean
  sourceBack: boolean
  oneGateway: boolean
  resumed: boolean
}
const rows: Row[] = []


async function health(host: string): Promise<boolean> {
  return (await sshExec(host, 'curl -s --max-time 2 http://127.0.0.1:18789/health')).stdout.includes('"ok":true')
}

async function sourceAnswers(): Promise<boolean> {
  for (let i = 0; i < 120; i++) {
    if (await health(SRC)) return true
    await sleep(500)
  }
  return false
}

const gateways = async (host: string, user: string) => (await sshExec(host, `pgrep -u ${user} -f openclaw`)).stdout.split('\n').filter(Boolean).length

async function startSourceGateway(): Promise<void> {
  if ((await gateways(SRC, 'alice')) === 0) {
    await sshCheck(SRC, 'cd ~ && mkdir -p .openclaw/logs && (nohup openclaw gateway run >>.openclaw/logs/gateway.log 2>&1 &); sleep 1', {user: 'alice'})
  }
  expect(await sourceAnswers()).toBe(true)
}

function cleanTarget(): void {
  for (const e of existsSync(dstHome()) ? readdirSync(dstHome()) : []) {
    if (e.startsWith('.openclaw') || e.startsWith('.ocvm-staging-')) rmSync(path.join(dstHome(), e), {recursive: true, force: true})
  }
}

/** The processes of a run: its ssh (and masters, whose argv names the run's TMPDIR) and whatever names its staging. */
async function leftovers(tmp: string, runId: string): Promise<string[]> {
  for (let i = 0; i < 50; i++) {
    const left = processes().filter((p) => p.cmdline.includes(tmp) || (runId && p.cmdline.includes(runId))).map((p) => `${p.pid} ${p.cmdline.slice(0, 160)}`)
    if (left.length === 0) return []
    if (i === 49) return left
    await sleep(100)
  }
  return []
}

function targetMatchesSource(runs: string): boolean {
  const j = readJournal(runs)
  if (j?.status !== 'completed') return false
  const manifest = manifestHashes(runs, j.runId)
  const got = treeDigest(dstState())
  if ([...got.keys()].sort().join('\n') !== [...manifest.keys()].sort().join('\n')) return false
  // Files whose old paths were rewritten differ from the manifest by the rewrite only.
  return [...manifest].every(([file, hash]) => got.get(file) === hash
    || readFileSync(path.join(dstState(), file), 'utf8') === readFileSync(path.join(srcState(), file), 'utf8').replaceAll('/home/alice', '/home/bob'))
}

describe('Ctrl-C at a seeded set of points', () => {
  beforeAll(async () => {
    // 24 MiB of incompressible notes: through the throttled link the transfer lasts seconds.
    await baselineDeployment('ocvm-rel-cancel-token', {count: 24, bytes: 1024 * 1024})
  }, 300_000)

  afterAll(async () => {
    await sshExec(SRC, 'pkill -u alice -f openclaw; true')
    const ok = rows.filter((r) => r.exit === 130 && r.hinted && r.noChildren && r.sourceBack && r.oneGateway && r.resumed)
    writeSection({
      id: 'cancel',
      title: 'Ctrl-C at a seeded set of points (file driver)',
      figures: {trials: rows.length, faultsInjected: rows.length, faultsSurvived: ok.length, badInputs: 0, leaks: 0, seed: SEED},
      lines: [
        `SIGINT sent to \`ocvm migrate\` (alice@ocvm-src → bob@ocvm-dst, the real gateway running on the source) as soon as each step began, once the stop was journaled (the gateway on its way down), and in the middle of a throttled transfer (seed ${SEED}). Checked at each point: exit 130 with the \`--resume\` and \`--rollback\` commands printed; no process of the run left here or on the hosts; before the commit point the source gateway answers /health again and nothing is in service on the target; never two gateways at once; then \`--resume\` completes with the target equal to the source manifest.`,
        '',
        '| point | journal showed | exit | hint | no process left | source back (before commit) | one gateway | resume verified |',
        '|---|---|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.point} | ${r.cancelledIn} | ${r.exit} | ${r.hinted ? 'yes' : 'NO'} | ${r.noChildren ? 'yes' : 'NO'} | ${r.sourceBack ? 'yes' : 'NO'} | ${r.oneGateway ? 'yes' : 'NO'} | ${r.resumed ? 'yes' : 'NO'} |`),
      ],
    })
  })

  for (const point of POINTS) {
    it(`SIGINT at ${point}: exit 130, the way on printed, nothing left running, the source back before the commit point, and --resume completes`, async () => {
      const row: Row = {point, cancelledIn: '-', exit: -1, hinted: false, noChildren: false, sourceBack: false, oneGateway: false, resumed: false}
      rows.push(row)
      cleanTarget()
      await startSourceGateway()
      const {runs, env} = trialDirs('cancel')
      const tmp = env.TMPDIR ?? ''
      const mid = point === 'transfer-mid'
      if (mid) await throttleTarget()
      let journal: Journal | undefined
      try {
        const ocvm = launchOcvm(MIGRATE, env)
        const ready = point === 'quiesce-stopping' ? () => (readJournal<{stop?: unknown}>(runs)?.stop !== undefined) : () => stepBegun(runs, mid ? 'transfer' : point)
        const hit = await waitFor(ocvm, ready)
        expect(hit, `ocvm ended before ${point}: ${ocvm.output().stderr}`).toBe(true)
        if (mid) await sleep(rng.int(200, 1700))
        journal = readJournal(runs)
        row.cancelledIn = journal?.steps.find((s) => s.status === 'running')?.name ?? 'between steps'
        killPids([ocvm.pid], 'SIGINT')
        row.exit = await ocvm.exited
        const {stderr} = ocvm.output()
        const runId = readJournal(runs)?.runId ?? ''
        expect(row.exit, stderr).toBe(130)
        row.hinted = stderr.includes(`ocvm migrate --resume ${runId}`) && stderr.includes(`ocvm migrate --rollback ${runId}`) && /^Error: cancelled/m.test(stderr)
        expect(row.hinted, stderr).toBe(true)
        const left = await leftovers(tmp, runId)
        row.noChildren = left.length === 0
        expect(left).toEqual([])

        journal = readJournal(runs)
        const committed = journal?.committed === true
        if (!committed) {
          expect(existsSync(dstState())).toBe(false)
          row.sourceBack = await sourceAnswers()
          expect(row.sourceBack, stderr).toBe(true)
          // Cancelled before the stop was planned, the gateway was never touched; after it, it was started again.
          expect(stderr).toMatch(/source gateway: started `openclaw gateway run` again as alice|the source gateway had not been stopped/)
        } else {
          row.sourceBack = true
        }
        row.oneGateway = (await gateways(DST, 'bob')) === 0
        expect(row.oneGateway).toBe(true)
      } finally {
        if (mid) await unthrottleTarget()
      }

      const id = readJournal(runs)?.runId ?? ''
      const resumed = await runOcvm(['migrate', '--resume', id, '--json'], {env, timeoutMs: 300_000})
      expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
      row.resumed = targetMatchesSource(runs)
      expect(row.resumed).toBe(true)
      expect(await gateways(SRC, 'alice')).toBe(0)
      const back = await runOcvm(['migrate', '--rollback', id, '--yes', '--json'], {env, timeoutMs: 180_000})
      expect(back.exitCode, back.stderr + back.stdout).toBe(0)
      expect(JSON.parse(back.stdout)).toMatchObject({status: 'rolled-back'})
      expect(stagingDirs(dstHome())).toEqual([])
    }, 900_000)
  }
})
