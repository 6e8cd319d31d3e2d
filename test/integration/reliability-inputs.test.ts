// The bad-input catalogue: every entry is run through the real CLI (against the sshd test hosts where
// a host is involved) and must end with a clear error and a hint, a non-zero exit, no stack trace,
// nothing written on the target, and — for the hostile names — the canary `;touch <file>` never run.
// The inspect-side cases for local deployments (JSON5 syntax, $include loop/escape, malformed host
// spec, unknown user) live in test/unit/commands/cli.test.ts; here they go through `migrate`.
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {OcvmError} from '../../src/errors.js'
import {parseHashRecord, parseListRecord} from '../../src/transfer/tree-records.js'
import {parseFileFacts} from '../../src/transfer/files.js'
import {DST, hostFsPath, resetHosts, run, runOcvm, SRC} from '../infra/hosts.js'
import {writeSection} from '../reliability/report.js'

beforeAll(resetHosts)

const CANARY = `/tmp/ocvm-pwned-${randomBytes(4).toString('hex')}`
const RUNS = mkdtempSync(path.join(tmpdir(), 'ocvm-rel-inputs-'))
const env = {OCVM_RUNS_DIR: RUNS}
const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const FROM = ['--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob']

// Every way of smuggling a command into a shell, each carrying the canary.
const HOSTILE = [
  `x;touch ${CANARY}`,
  `x$(touch ${CANARY})`,
  `x\`touch ${CANARY}\``,
  `x'; touch ${CANARY}; '`,
  `x"; touch ${CANARY}; "`,
  `x\ntouch ${CANARY}`,
  `-x;touch ${CANARY}`,
  `x y;touch ${CANARY}`,
]

interface Case {
  name: string
  args: string[]
  /** Deployment shape to write on the source first (openclaw.json + extra files). */
  setup?: Record<string, string>
  exit?: number
  message: RegExp
}

const VALID_CONFIG = {'openclaw.json': '{ gateway: { mode: "local", bind: "loopback" } }\n'}
const RUN_ID = '20261124T000000Z-abcdef'

const CASES: Case[] = [
  {name: 'unknown driver', args: ['migrate', '--driver', 'nope', '--vm', 'x', ...FROM, '--yes'], message: /nope/},
  {name: 'unknown flag', args: ['migrate', '--bogus-flag', ...FROM], exit: 2, message: /bogus-flag/},
  {name: 'bad --mode', args: ['migrate', '--driver', 'libvirt', '--mode', 'teleport', '--vm', 'x', ...FROM], exit: 2, message: /teleport|mode/},
  {name: 'bad --sessions', args: ['migrate', '--sessions', 'some', ...FROM], exit: 2, message: /sessions/},
  {name: 'malformed run id', args: ['migrate', '--resume', '../../etc'], exit: 2, message: /is not a run id/},
  {name: 'unknown run id', args: ['migrate', '--resume', '20261124T000000Z-000000'], exit: 1, message: /no journal for run/},
  {name: 'journal that is not JSON', args: ['migrate', '--resume', RUN_ID], exit: 1, message: /not a valid ocvm journal/},
  {name: 'malformed host spec', args: ['migrate', '--from', `-oProxyCommand=touch ${CANARY}`, '--to', `root@${DST}`, '--dry-run'], exit: 2, message: /host/i},
  {name: 'no --to', args: ['migrate', '--from', `root@${SRC}`, '--yes'], exit: 2, message: /--from and --to are required/},
  {name: 'target user that does not exist', args: ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'nosuchuser-ocvm', '--dry-run'], setup: VALID_CONFIG, exit: 1, message: /nosuchuser-ocvm/},
  {name: 'JSON5 syntax error in the source config', args: ['migrate', ...FROM, '--dry-run'], setup: {'openclaw.json': '{\n  gateway: { mode: "local" }\n  agents: {}\n}\n'}, exit: 1, message: /openclaw\.json:3:3: JSON5 syntax error/},
  {name: '$include loop', args: ['migrate', ...FROM, '--dry-run'], setup: {'openclaw.json': '{ a: { $include: "./a.json5" } }', 'a.json5': '{ b: { $include: "./openclaw.json" } }'}, exit: 1, message: /\$include loop/},
  {name: '$include escape', args: ['migrate', ...FROM, '--dry-run'], setup: {'openclaw.json': '{ agents: { $include: "../../../etc/passwd" } }'}, exit: 1, message: /escapes the config directory/},
  {name: 'relative --target-state-dir', args: ['migrate', ...FROM, '--target-state-dir', 'relative/dir', '--dry-run'], setup: VALID_CONFIG, exit: 2, message: /--target-state-dir .* absolute/},
  {name: '--target-home with ..', args: ['migrate', ...FROM, '--target-home', '/home/bob/../../etc', '--dry-run'], setup: VALID_CONFIG, exit: 2, message: /--target-home .*"\.\."/},
  {name: '--profile with a slash', args: ['migrate', ...FROM, '--profile', '../../root', '--dry-run'], setup: VALID_CONFIG, exit: 2, message: /--profile/},
  // Hostile names and paths, one flag at a time.
  ...HOSTILE.flatMap((h, i): Case[] => [
    {name: `hostile --user #${i}`, args: ['migrate', '--from', `root@${SRC}`, '--user', h, '--to', `root@${DST}`, '--dry-run'], setup: VALID_CONFIG, message: /user/i},
    {name: `hostile --target-user #${i}`, args: ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', h, '--dry-run'], setup: VALID_CONFIG, message: /user/i},
    {name: `hostile --state-dir #${i}`, args: ['migrate', ...FROM, '--state-dir', `/home/alice/${h}`, '--dry-run'], setup: VALID_CONFIG, message: /state-dir|deployment/i},
    {name: `hostile --target-state-dir #${i}`, args: ['migrate', ...FROM, '--target-state-dir', h.includes('\n') ? `/home/bob/${h}` : h, '--dry-run'], setup: VALID_CONFIG, exit: 2, message: /--target-state-dir/},
    {name: `hostile --target-home #${i}`, args: ['migrate', ...FROM, '--target-home', h.includes('\n') ? `/home/${h}` : h, '--dry-run'], setup: VALID_CONFIG, exit: 2, message: /--target-home/},
    {name: `hostile --vm #${i}`, args: ['migrate', '--driver', 'libvirt', '--vm', h, ...FROM.slice(0, 2), '--to', `root@${DST}`, '--dry-run'], message: /./},
    {name: `hostile --target-name #${i}`, args: ['migrate', '--driver', 'libvirt', '--vm', 'openclaw', '--target-name', h, ...FROM.slice(0, 2), '--to', `root@${DST}`, '--dry-run'], message: /./},
  ]),
]

// Paths with spaces and quotes are legal: those must work verbatim (quoted), not be refused.
const LEGAL_ODD_PATHS = [`/home/bob/odd dir/it's "here"`, '/home/bob/semi;colon']

function writeDeployment(files: Record<string, string>): void {
  rmSync(srcState(), {recursive: true, force: true})
  mkdirSync(srcState(), {recursive: true})
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(srcState(), name), text)
}

const dstEntries = () => readdirSync(hostFsPath(DST, '/home/bob')).filter((e) => e !== '.ssh').sort()
const results: Array<{name: string; exit: number; ok: boolean}> = []
let parserCases = 0

describe('bad-input catalogue', () => {
  beforeAll(async () => {
    mkdirSync(path.join(RUNS, RUN_ID), {recursive: true, mode: 0o700})
    writeFileSync(path.join(RUNS, RUN_ID, 'journal.json'), '{"version": 1, "status": "runn')
  })
  afterAll(() => {
    rmSync(CANARY, {force: true})
    const cli = results.length
    writeSection({
      id: 'inputs',
      title: 'Bad input catalogue',
      figures: {trials: cli + parserCases, faultsInjected: 0, faultsSurvived: 0, badInputs: cli + parserCases, leaks: 0},
      lines: [
        `${cli} command lines through the real CLI against the test hosts (${HOSTILE.length} hostile strings × 7 flags: --user, --target-user, --state-dir, --target-state-dir, --target-home, --vm, --target-name; unknown drivers, flags and options; malformed, unknown and corrupt run ids and journals; JSON5 syntax errors, $include loops and escapes in the source config; a target user that does not exist), plus ${parserCases} malformed inputs to the parsers (checksum output, manifest records).`,
        '',
        `Each ended non-zero with an error and a hint and no stack trace (${results.filter((r) => r.ok).length}/${cli}); nothing appeared on the target; the canary file (\`;touch ${'/tmp/ocvm-pwned-<random>'}\` and friends) was never created. Paths with spaces, quotes and \`;\` that are legal (${LEGAL_ODD_PATHS.length}) were accepted verbatim by a dry run instead.`,
      ],
    })
  })

  it(`${CASES.length} bad command lines: clear error + hint, non-zero, no stack trace, nothing written, canary untouched`, async () => {
    const before = dstEntries()
    let lastSetup: string | undefined
    for (const c of CASES) {
      const shape = JSON.stringify(c.setup ?? VALID_CONFIG)
      if (shape !== lastSetup) {
        writeDeployment(c.setup ?? VALID_CONFIG)
        await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
        lastSetup = shape
      }
      const r = await runOcvm(c.args, {env, timeoutMs: 120_000})
      const out = r.stderr + r.stdout
      const ok = r.exitCode !== 0 && (c.exit === undefined || r.exitCode === c.exit) && /Error: /.test(r.stderr) && /Hint: /.test(r.stderr) && c.message.test(out) && !/^\s+at .+:\d+:\d+\)?$/m.test(out)
      results.push({name: c.name, exit: r.exitCode, ok})
      expect(r.exitCode, `${c.name}: ${out}`).not.toBe(0)
      if (c.exit !== undefined) expect(r.exitCode, `${c.name}: ${out}`).toBe(c.exit)
      expect(r.stderr, c.name).toMatch(/Error: /)
      expect(r.stderr, `${c.name}: ${r.stderr}`).toMatch(/Hint: /)
      expect(out, c.name).toMatch(c.message)
      expect(out, `${c.name}: stack trace`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m)
      expect(existsSync(CANARY), `${c.name} ran the canary`).toBe(false)
      expect(dstEntries(), `${c.name} wrote on the target`).toEqual(before)
    }
  }, 1_200_000)

  it('legal but odd target paths (spaces, quotes, ;) are used verbatim, never interpreted', async () => {
    writeDeployment(VALID_CONFIG)
    await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
    for (const p of LEGAL_ODD_PATHS) {
      const r = await runOcvm(['migrate', ...FROM, '--target-state-dir', p, '--dry-run', '--json'], {env})
      expect(r.exitCode, r.stderr + r.stdout).toBe(0)
      expect((r.json as {target: {stateDir: string}}).target.stateDir).toBe(p)
      expect(existsSync(CANARY)).toBe(false)
    }
  })

  it('malformed checksum output and manifest records are clear errors from the parsers', () => {
    const bad: Array<() => unknown> = [
      () => parseFileFacts('F\tnot-a-size\tnot-a-hash\t/x\0'),
      () => parseFileFacts('F\t12 8\t' + 'z'.repeat(64) + '\t/x\0'),
      () => parseFileFacts('Q\tsomething\0'),
      () => parseListRecord(Buffer.from('a\t\tf\t644\t-1'), false),
      () => parseListRecord(Buffer.from('a\t\tq\t644\t1'), false),
      () => parseListRecord(Buffer.from('a\tlink\tl\t0\t99'), false),
      () => parseListRecord(Buffer.from('just a name'), true),
      () => parseHashRecord(Buffer.from(`a\t${'z'.repeat(64)}`)),
      () => parseHashRecord(Buffer.from('a\tnothex')),
    ]
    for (const f of bad) {
      let error: unknown
      try {
        f()
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(OcvmError)
      expect((error as OcvmError).hint).toBeTruthy()
      parserCases++
    }
  })
})
