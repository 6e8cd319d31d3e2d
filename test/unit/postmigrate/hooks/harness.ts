// One target for a hook's unit tests: THIS machine, the real `local` host (real sh, find, stat,
// chown, install, systemd-analyze, npm, ss…) in a temporary directory, reached through a local
// Shell like any target. What a test cannot let a hook do to the machine it runs on is moved, and
// only that:
//   - the system dirs a hook writes (/etc/openclaw, /etc/systemd/system, /etc/logrotate.d,
//     /etc/newsyslog.d, /Library/LaunchDaemons, /usr/libexec) live under ROOT inside the temp dir:
//     the target's shell re-roots those paths wherever the hook names them (argv, script text,
//     stdin), as the integration tests give each namespace host its own /etc;
//   - programs that cannot run here are the FAKE CLIs of test/fakes (systemctl, launchctl, plutil,
//     PlistBuddy, tailscale, signal-cli: documented there), linked into the target's bin dir;
//   - programs with no fake (openclaw, crontab, java) are STRICT stubs written by `stub()`: each
//     answers only the argv a test lists, and any other call fails the command and the test.
// Hooks run through the real engine (check → apply → verify), so a report is what a user sees.
// Hooks that enter secrets or services are root tools on a target: their tests need root, as the
// project's machines and CI are.
//
// Other tests on this machine (a migration from `local`) stop what ocvm's probe takes for root's
// gateway: a process whose args name openclaw…gateway but not ocvm (host-facts.ts). So nothing a
// test starts may look like one: everything lives in an `ocvm-hook-*` dir (TMPDIR included), and a
// script whose argv names the gateway without a path there runs with $0 = ocvm-test-sh.
import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir, userInfo} from 'node:os'
import path from 'node:path'

import type {Context} from '../../../../src/context.js'
import {createRunner} from '../../../../src/exec/runner.js'
import {createShell, ShellPool, type Shell} from '../../../../src/hosts/shell.js'
import type {Reporter} from '../../../../src/output/reporter.js'
import type {Hook, TargetOs} from '../../../../src/postmigrate/api.js'
import {runHooks, type HookReport, type HookRunResult} from '../../../../src/postmigrate/engine.js'
import {loadSecrets, type SecretValues} from '../../../../src/postmigrate/secrets-input.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const FAKES_DIR = path.join(REPO_ROOT, 'test/fakes')
/** The target's system dirs that live under ROOT in these tests. */
const SYSTEM_DIRS = ['/etc/openclaw', '/etc/systemd/system', '/etc/logrotate.d', '/etc/newsyslog.d', '/Library/LaunchDaemons', '/usr/libexec', '/run/systemd']
type Fake = 'systemctl' | 'launchctl' | 'plutil' | 'PlistBuddy' | 'tailscale' | 'signal-cli'

/** One command a hook ran through its shell, as the hook gave it (before re-rooting). */
export interface Call {
  argv: string[]
  input?: string
}

export interface RunOptions {
  os?: TargetOs
  dryRun?: boolean
  /** Merged over the default inputs (user, group, home, stateDir, configPath). */
  options?: Record<string, unknown>
}

export interface Target {
  /** The temp dir; removed afterwards. */
  dir: string
  /** The service user: whoever runs the tests (root on the project's machines). */
  user: string
  group: string
  home: string
  stateDir: string
  configPath: string
  /** Dirs outside the state dir (workspaces): under `dir`, part of `snapshot()`. */
  ws: string
  /** First on the target's PATH: fakes and stubs. */
  bin: string
  /** The target's TMPDIR (mktemp). */
  tmp: string
  /** The environment of every command on the target (PATH, the fakes' state dirs); a test may change it. */
  env: Record<string, string>
  /** Where a system path of the target lives here: sys('/etc/openclaw/secrets.env'). */
  sys(file: string): string
  shell: Shell
  ctx: Context
  /** Every command the hooks ran, in order. */
  calls: Call[]
  /** What the hooks told the user through the reporter (step, warn, debug). */
  said: string[]
  /** Runs one hook through the engine; its report. */
  run(hook: Hook, options?: RunOptions): Promise<HookReport>
  /** Runs hooks in order through the engine. */
  runAll(hooks: Hook[], options?: RunOptions): Promise<HookRunResult>
  /** Secret values as the CLI loads them (the run's redactor learns them). */
  secrets(values: Record<string, string>): SecretValues
  /** Writes a file (parents created), with a mode. */
  write(file: string, text: string, mode?: number): string
  read(file: string): string
  /**
   * A strict stub program: `cases` maps an argv (words joined by spaces; `*` matches anything) to
   * the sh code that answers it ($S is the stub's own state dir). Any other argv fails (exit 99)
   * and is reported at the end of the test. Written to `bin` unless `dir` is given.
   */
  stub(name: string, cases: Record<string, string>, dir?: string): string
  /** The argv (joined) each call of a stub (by name or path) or fake CLI got, in order. */
  stubCalls(name: string): string[]
  /** A stub's own state dir ($S in its code). */
  stubState(name: string): string
  /** Type, mode, owner and content of everything under home, ws and ROOT. */
  snapshot(): Map<string, string>
  /** Where `secret` shows up: the argv of a command, the report, or what the user was told. */
  leaks(secret: string, report?: unknown): string[]
  /** Runs `fn` when the test ends (before the dir is removed). */
  onCleanup(fn: () => Promise<unknown> | unknown): void
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The target's view of this machine: SYSTEM_DIRS re-rooted under `root` wherever they are named. */
function reRooter(root: string): (text: string) => string {
  const re = new RegExp(`(^|[^\\w./-])(${SYSTEM_DIRS.map(escapeRe).join('|')})(?=$|[/\\s"'<>:;)])`, 'g')
  return (text) => text.replace(re, (_m, before: string, dir: string) => `${before}${root}${dir}`)
}

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

function digest(root: string, into: Map<string, string>): void {
  const walk = (abs: string) => {
    const st = lstatSync(abs)
    const head = `${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`
    if (st.isSymbolicLink()) into.set(abs, `link ${readlinkSync(abs)}`)
    else if (st.isDirectory()) {
      into.set(abs, `dir ${head}`)
      for (const e of readdirSync(abs)) walk(path.join(abs, e))
    } else into.set(abs, `file ${head} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`)
  }
  if (existsSync(root)) walk(root)
}

function makeTarget(dir: string, fakes: readonly Fake[]): {target: Target; cleanups: Array<() => Promise<unknown> | unknown>; unexpected: () => string[]} {
  const user = userInfo().username
  const group = execFileSync('id', ['-gn'], {encoding: 'utf8'}).trim()
  const home = path.join(dir, 'home')
  const stateDir = path.join(home, '.openclaw')
  const ws = path.join(dir, 'ws')
  const bin = path.join(dir, 'bin')
  const root = path.join(dir, 'root')
  const state = path.join(dir, 'test-state')
  const tmp = path.join(dir, 'tmp')
  for (const d of [stateDir, ws, bin, state, tmp, ...SYSTEM_DIRS.map((s) => path.join(root, s))]) mkdirSync(d, {recursive: true})
  chmodSync(home, 0o700)
  chmodSync(stateDir, 0o700)
  for (const fake of fakes) {
    const at = fake === 'PlistBuddy' ? path.join(root, '/usr/libexec/PlistBuddy') : path.join(bin, fake)
    // The fake launchd's supervisors run as `python3 <launchctl's real path> __supervise system/ai.openclaw.gateway`,
    // which ocvm's own probe (host-facts.ts) takes for root's gateway unless the args name ocvm: other
    // tests on this machine that migrate from `local` would stop it. A copy runs from this dir, which does.
    if (fake === 'launchctl') copyFileSync(path.join(FAKES_DIR, fake), at)
    else symlinkSync(path.join(FAKES_DIR, fake), at)
    // The fake systemd "runs" here: what sd_booted() and ocvm look for.
    if (fake === 'systemctl') mkdirSync(path.join(root, '/run/systemd/system'))
  }
  const env: Record<string, string> = {
    PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    TMPDIR: tmp,
    FAKE_SYSTEMD_UNIT_DIR: path.join(root, '/etc/systemd/system'),
    FAKE_SYSTEMD_STATE: path.join(state, 'fake-systemd'),
    FAKE_LAUNCHD_STATE: path.join(state, 'fake-launchd'),
    FAKE_TAILSCALE_STATE: path.join(state, 'fake-tailscale'),
    FAKE_SIGNAL_SCAN_DELAY: '0',
    // npm asks the registry whether it is outdated: not the target's business, and these tests stay offline.
    npm_config_update_notifier: 'false',
  }
  const reRoot = reRooter(root)
  const calls: Call[] = []
  const said: string[] = []
  const reporter: Reporter = {
    step: (m) => said.push(m),
    warn: (m) => said.push(m),
    debug: (m) => said.push(m),
    progress: () => ({update() {}, done() {}}),
  }
  const runner = createRunner()
  const base = createShell({kind: 'local'}, runner, {controlDir: dir})
  const exec: Shell['exec'] = (argv, options = {}) => {
    const input = typeof options.input === 'string' ? options.input : undefined
    calls.push({argv: [...argv], ...(input !== undefined ? {input} : {})})
    const real = argv.map(reRoot)
    const args = real.join(' ')
    if (real[0] === 'sh' && real[1] === '-c' && /openclaw.*gateway/.test(args) && !args.includes('ocvm')) real[3] = 'ocvm-test-sh'
    return base.exec(real, {...options, ...(input !== undefined ? {input: reRoot(input)} : {}), env: {...env, ...options.env}})
  }
  const shell: Shell = {host: base.host, label: base.label, exec, script: (body, args = [], options) => exec(['sh', '-c', body, 'sh', ...args], options)}
  const ctx: Context = {runner, shells: new ShellPool({runner, ssh: {controlDir: dir}}), reporter}
  const inputs = {user, group, home, stateDir, configPath: path.join(stateDir, 'openclaw.json')}
  const stubs = new Map<string, string>()
  const cleanups: Array<() => Promise<unknown> | unknown> = []
  const unexpectedLog = path.join(state, 'unexpected')

  const runAll = ({os = 'linux', dryRun = false, options = {}}: RunOptions, hooks: Hook[]) =>
    runHooks(hooks, {shell, os, osName: os === 'macos' ? 'macOS 15.1' : 'Linux (test)', driver: 'file', where: 'host', dryRun, options: {...inputs, ...options}}, ctx)

  const target: Target = {
    dir, user, group, home, stateDir, configPath: inputs.configPath, ws, bin, tmp, env, shell, ctx, calls, said,
    sys: (file) => path.join(root, file),
    async run(hook, options = {}) {
      const result = await runAll(options, [hook])
      const report = result.hooks[0]
      if (!report) throw new Error('the engine returned no report')
      return report
    },
    runAll: (hooks, options = {}) => runAll(options, hooks),
    secrets: (values) => loadSecrets({envNames: Object.keys(values), env: values}, runner.redactor),
    write(file, text, mode = 0o600) {
      mkdirSync(path.dirname(file), {recursive: true})
      writeFileSync(file, text)
      chmodSync(file, mode)
      return file
    },
    read: (file) => readFileSync(file, 'utf8'),
    stub(name, cases, at = bin) {
      const file = path.join(at, name)
      mkdirSync(at, {recursive: true})
      const s = path.join(state, `stub-${stubs.size}-${name}`)
      stubs.set(name, s)
      stubs.set(file, s)
      mkdirSync(s, {recursive: true})
      const pattern = (argv: string) => argv.split('*').map((part) => (part ? shQuote(part) : '')).join('*')
      writeFileSync(file, `#!/bin/sh
# STRICT test stub of ${name} (test/unit/postmigrate/hooks/harness.ts): answers only the argv below.
S=${shQuote(s)}
printf '%s\\n' "$*" >> "$S/calls"
case "$*" in
${Object.entries(cases).map(([argv, body]) => `${pattern(argv)})\n${body}\n;;`).join('\n')}
*) printf '%s\\n' ${shQuote(name)}" $*" >> ${shQuote(unexpectedLog)}; echo "test stub: unexpected command: ${name} $*" >&2; exit 99 ;;
esac
`)
      chmodSync(file, 0o755)
      return file
    },
    stubState(name) {
      const s = stubs.get(name)
      if (!s) throw new Error(`no stub ${name}`)
      return s
    },
    stubCalls(name) {
      const s = stubs.get(name)
      const fakeState: Record<string, string | undefined> = {systemctl: env.FAKE_SYSTEMD_STATE, launchctl: env.FAKE_LAUNCHD_STATE, tailscale: env.FAKE_TAILSCALE_STATE}
      const log = s ? path.join(s, 'calls') : path.join(fakeState[name] ?? '/nonexistent', 'calls.log')
      return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []
    },
    snapshot() {
      const out = new Map<string, string>()
      for (const d of [home, ws, root]) digest(d, out)
      return out
    },
    leaks(secret, report) {
      const found: string[] = []
      const what = (argv: string[]) => (argv[1] === '-c' ? `sh -c ${argv[2]?.split('\n').find((l) => l.trim()) ?? ''}` : argv.slice(0, 2).join(' '))
      for (const c of calls) if (c.argv.some((a) => a.includes(secret))) found.push(`argv of ${what(c.argv)}`)
      if (report !== undefined && JSON.stringify(report).includes(secret)) found.push('the report')
      if (said.some((m) => m.includes(secret))) found.push('what the user was told')
      return found
    },
    onCleanup: (fn) => cleanups.push(fn),
  }
  const unexpected = () => (existsSync(unexpectedLog) ? readFileSync(unexpectedLog, 'utf8').split('\n').filter(Boolean) : [])
  return {target, cleanups, unexpected}
}

/**
 * Runs `fn` with a fresh target; removes it afterwards. A stub called with an argv it was not told
 * to expect fails the test even when the hook swallowed the failure.
 */
export async function withTarget<T>(fn: (t: Target) => Promise<T>, options: {fakes?: Fake[]; root?: boolean} = {}): Promise<T> {
  if (options.root && process.getuid?.() !== 0) {
    throw new Error('this test runs the hook\'s root-only steps for real (chown root, install -o root): run the unit tests as root, as the project\'s machines and CI do')
  }
  // A test that a program is missing must not find the machine's own (nor start it as a service).
  const own = execFileSync('sh', ['-c', 'for p in openclaw tailscale signal-cli; do command -v "$p" || true; done'], {encoding: 'utf8'}).trim()
  if (own) throw new Error(`these tests play the target's openclaw, tailscale and signal-cli with fakes and stubs, but this machine has its own on PATH: ${own.replace(/\n/g, ', ')}`)
  const dir = mkdtempSync(path.join(tmpdir(), 'ocvm-hook-'))
  const {target, cleanups, unexpected} = makeTarget(dir, options.fakes ?? [])
  try {
    const result = await fn(target)
    const stray = unexpected()
    if (stray.length > 0) throw new Error(`unexpected commands reached the test stubs:\n${stray.join('\n')}`)
    return result
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup()
    rmSync(dir, {recursive: true, force: true})
  }
}

/** A JDK stub at DIR/jdk-MAJOR (its bin/java answers only -version); returns the JDK's dir. */
export function stubJdk(t: Target, major: number): string {
  const jdk = path.join(t.dir, `jdk-${major}`)
  mkdirSync(path.join(jdk, 'bin'), {recursive: true})
  t.stub('java', {'-version': `echo 'openjdk version "${major}.0.5" 2024-10-15 LTS' >&2`}, path.join(jdk, 'bin'))
  return jdk
}
