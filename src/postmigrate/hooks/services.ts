import {OcvmError} from '../../errors.js'
import {bootoutAndWait} from '../../deployment/launchd.js'
import {parseLaunchdPlist} from '../../deployment/services.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {runAsUser} from '../as-user.js'
import {launchDaemonPath, launchdLabel, logDir, secretsFilePath, targetInputs, unitName} from '../inputs.js'
import {launchDaemonPlist, servicePath, serviceEnv, systemdUnit, unitProblems, type ServiceSpec} from '../service-definitions.js'
import {javaMajor} from './signal.js'
import {gatewayPids, stopProcesses} from '../../deployment/gateway-control.js'

// Where the CLI, docker and Java are for the service user (PATH of a login shell is not the service's).
// Java: macOS asks java_home (for 21 first); elsewhere the java on PATH, symlinks resolved.
const LOCATE = String.raw`
command -v openclaw || true; echo '--'; command -v docker || true; echo '--'
jh=""
if [ -x /usr/libexec/java_home ]; then jh=$(/usr/libexec/java_home -v 21 2>/dev/null || /usr/libexec/java_home 2>/dev/null)
elif j=$(command -v java 2>/dev/null); then jh=$(readlink -f "$j" 2>/dev/null | sed 's:/bin/java$::'); fi
echo "$jh"; if [ -n "$jh" ]; then "$jh/bin/java" -version 2>&1 | head -n 1; fi; echo '--'
if [ -d /run/systemd/system ]; then echo systemd; else echo none; fi
`

interface Located {
  spec: ServiceSpec
  /** Linux: whether systemd runs there (its tools may be installed in a container that has none). */
  init: 'systemd' | 'none'
  /** The source service's JAVA_HOME and what stands for it here (undefined: no Java found). */
  java?: {from: string; to: string | undefined; major: number | undefined}
}

async function locate(ctx: HookContext): Promise<Located> {
  const t = targetInputs(ctx)
  const out = (await runAsUser(ctx.shell, t.user, t.home, ['sh', '-c', LOCATE], {timeoutMs: 30_000})).stdout
  const [cli = '', docker = '', java = '', init = ''] = out.split('--\n').map((s) => s.trim())
  if (!cli.startsWith('/')) {
    throw new OcvmError('openclaw-missing', `openclaw is not on ${t.user}'s PATH on ${ctx.shell.label}`, {hint: 'Install it on the target first (npm install -g openclaw, or the installer), as the guide\'s Step 2 says.'})
  }
  const extra = docker.startsWith('/') ? [docker.replace(/\/[^/]+$/, '')] : []
  const [javaHome = '', javaVersion = ''] = java.split('\n').map((s) => s.trim())
  // A JAVA_HOME pinned on the source (a Homebrew Cellar path…) means nothing here: the Java this host has instead.
  const sourceJava = t.source?.serviceEnv.JAVA_HOME
  const found = javaHome.startsWith('/') ? javaHome : undefined
  const spec: ServiceSpec = {
    name: ctx.os === 'macos' ? launchdLabel(t) : unitName(t),
    user: t.user, group: t.group, home: t.home, stateDir: t.stateDir, configPath: t.configPath, port: t.port,
    ...(t.instance ? {instance: t.instance} : {}),
    openclaw: cli, path: servicePath(cli, extra, ctx.os), logDir: logDir(t),
    ...(ctx.os === 'linux' ? {secretsFile: secretsFilePath(t)} : {}),
    ...(sourceJava && found ? {extraEnv: {JAVA_HOME: found}} : {}),
  }
  return {spec, init: init === 'systemd' ? 'systemd' : 'none', ...(sourceJava ? {java: {from: sourceJava, to: found, major: javaMajor(javaVersion)}} : {})}
}

function definitionPath(ctx: HookContext, s: ServiceSpec): string {
  return ctx.os === 'macos' ? launchDaemonPath(targetInputs(ctx)) : `/etc/systemd/system/${s.name}`
}

// `is-enabled` and `is-active` print one word each; a missing systemctl or a host without systemd
// prints its own complaint, which goes into the details.
const LINUX_STATE = String.raw`
f="$1"; n="$2"
if [ -f "$f" ] && cmp -s - "$f"; then echo same; else echo differs; fi
if [ -d "$3" ]; then echo logdir; else echo nologdir; fi
systemctl is-enabled "$n" 2>&1 | head -n 1
systemctl is-active "$n" 2>&1 | head -n 1
`

async function linuxState(ctx: HookContext, s: ServiceSpec): Promise<HookCheck> {
  const out = (await ctx.shell.script(LINUX_STATE, [definitionPath(ctx, s), s.name, s.logDir], {input: systemdUnit(s), timeoutMs: 30_000})).stdout.split('\n')
  const details: string[] = []
  if (out[0] !== 'same') details.push(`${definitionPath(ctx, s)} is missing or not the generated unit`)
  if (out[1] !== 'logdir') details.push(`log dir ${s.logDir} is missing`)
  if (out[2] !== 'enabled') details.push(`${s.name} is not enabled (${out[2] ?? ''})`)
  if (out[3] !== 'active') details.push(`${s.name} is not running (${out[3] ?? ''})`)
  return {satisfied: details.length === 0, details}
}

/** Where no service manager runs: the gateway is up when a gateway process of the user runs. */
async function byHandState(ctx: HookContext, s: ServiceSpec): Promise<HookCheck> {
  const details: string[] = []
  const logs = await ctx.shell.exec(['test', '-d', s.logDir], {allowFailure: true, timeoutMs: 30_000})
  if (logs.exitCode !== 0) details.push(`log dir ${s.logDir} is missing`)
  if ((await gatewayPids(ctx.shell, s.user)).length === 0) details.push(`no gateway of ${s.user} runs (no service manager runs here to start one)`)
  return {satisfied: details.length === 0, details}
}

function state(ctx: HookContext, {spec: s, init}: Located): Promise<HookCheck> {
  if (ctx.os === 'macos') return macState(ctx, s)
  return init === 'systemd' ? linuxState(ctx, s) : byHandState(ctx, s)
}

// As the service user, with the service's environment (the secrets file is read as root first):
// detached, logging where the unit would.
const START_BY_HAND = 'nohup "$1" gateway run >>"$2/gateway.log" 2>>"$2/gateway.err.log" </dev/null &'

/** Restarts the user's gateway as a plain process; returns what it did. */
async function startByHand(ctx: HookContext, s: ServiceSpec): Promise<string> {
  const running = await gatewayPids(ctx.shell, s.user)
  if (running.length > 0) await stopProcesses(ctx.shell, running)
  const env = serviceEnv(s).map(([k, v]) => `${k}=${v}`)
  await runAsUser(ctx.shell, s.user, s.home, ['env', ...env, 'sh', '-c', START_BY_HAND, 'ocvm-start', s.openclaw, s.logDir], {...(s.secretsFile ? {envFile: s.secretsFile} : {}), timeoutMs: 60_000})
  return `${running.length > 0 ? 'restarted' : 'started'} \`${s.openclaw} gateway run\` as ${s.user} (no service manager runs here)`
}

async function macState(ctx: HookContext, s: ServiceSpec): Promise<HookCheck> {
  const file = definitionPath(ctx, s)
  const details: string[] = []
  const xml = await ctx.shell.exec(['plutil', '-convert', 'xml1', '-o', '-', '--', file], {allowFailure: true, timeoutMs: 30_000})
  const parsed = xml.exitCode === 0 ? parseLaunchdPlist(xml.stdout, file, 'launch-daemon', ctx.runner.redactor) : undefined
  const want = Object.fromEntries(serviceEnv(s))
  if (!parsed) details.push(`${file} is missing or unreadable`)
  else if (parsed.runAs !== s.user || parsed.command.join(' ') !== `${s.openclaw} gateway run` || Object.entries(want).some(([k, v]) => parsed.env[k] !== v)) details.push(`${file} is not the generated LaunchDaemon`)
  const logs = await ctx.shell.exec(['test', '-d', s.logDir], {allowFailure: true, timeoutMs: 30_000})
  if (logs.exitCode !== 0) details.push(`log dir ${s.logDir} is missing`)
  const loaded = await ctx.shell.exec(['launchctl', 'print', `system/${s.name}`], {allowFailure: true, timeoutMs: 30_000})
  if (loaded.exitCode !== 0) details.push(`${s.name} is not loaded in launchd`)
  return {satisfied: details.length === 0, details}
}

// Validate before installing: the unit is checked under its real name in a scratch dir.
const INSTALL_UNIT = String.raw`
dest="$1"; name="$2"
d=$(mktemp -d) || exit 1
cat > "$d/$name"
if command -v systemd-analyze >/dev/null 2>&1; then systemd-analyze verify --man=no "$d/$name" 2>"$d/verify.err" >/dev/null; s=$?; cat "$d/verify.err" >&2; [ $s = 0 ] || { rm -rf "$d"; exit 7; }; fi
install -m 644 -o root -g root "$d/$name" "$dest" && rm -rf "$d"
`

const INSTALL_PLIST = String.raw`
dest="$1"
t=$(mktemp) || exit 1
cat > "$t"
plutil -lint "$t" >/dev/null || { rm -f "$t"; exit 7; }
# Secrets entered earlier (ocvm/secrets) stay in the plist: merge the old EnvironmentVariables in.
if [ -f "$dest" ]; then
  e=$(mktemp); /usr/libexec/PlistBuddy -x -c 'Print :EnvironmentVariables' "$dest" > "$e" 2>/dev/null && /usr/libexec/PlistBuddy -c "Merge $e :EnvironmentVariables" "$t" >/dev/null 2>&1; rm -f "$e"
fi
chown 0:0 "$t" && chmod 600 "$t" && mv -f "$t" "$dest"
`

const LOG_DIR = String.raw`
install -d -m 700 -o "$2" -g "$3" "$1" || exit 1
for f in gateway.log gateway.err.log; do [ -e "$1/$f" ] || install -m 600 -o "$2" -g "$3" /dev/null "$1/$f"; done
`

const NO_SYSTEMD = /System has not been booted with systemd|Failed to connect to bus|systemd is not running/i

export const services = defineHook({
  id: 'ocvm/services',
  description: 'generate (never copy) the systemd unit or LaunchDaemon, create the log dir, enable and start the gateway',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 5 * 60_000,
  settles: ['service'],
  async check(ctx) {
    return state(ctx, await locate(ctx))
  },
  async apply(ctx) {
    const {spec: s, java, init} = await locate(ctx)
    const file = definitionPath(ctx, s)
    const changed: string[] = []
    const actions: string[] = []
    const sourcePath = targetInputs(ctx).source?.serviceEnv.PATH
    if (sourcePath && sourcePath !== s.path) changed.push(`PATH: ${sourcePath} on the source -> ${s.path}, generated for this host`)
    if (java?.to && java.to !== java.from) changed.push(`JAVA_HOME: ${java.from} on the source -> ${java.to}${java.major ? ` (Java ${java.major})` : ''}, found on this host`)
    else if (java) actions.push(`The source's service set JAVA_HOME=${java.from}; this host has no Java: install Java 21 if signal-cli is to run here, then run \`ocvm hooks run ocvm/services\` again.`)
    // The log dir first: the service manager opens the log files before the gateway runs.
    // The log files too: the service manager creates them as root otherwise.
    await ctx.shell.script(LOG_DIR, [s.logDir, s.user, s.group], {timeoutMs: 30_000})
    changed.push(`log dir ${s.logDir} (700, ${s.user})`)
    if (ctx.os === 'macos') {
      const r = await ctx.shell.script(INSTALL_PLIST, [file], {input: launchDaemonPlist(s), allowFailure: true, timeoutMs: 60_000})
      if (r.exitCode !== 0) throw new OcvmError('service-invalid', `the generated plist was refused: ${r.stderr.trim()}`, {hint: 'This is a bug in ocvm; run with --verbose and report it.'})
      changed.push(`${file} (root:wheel 600)`)
      const target = `system/${s.name}`
      const gone = await bootoutAndWait(ctx.shell, target)
      if (!gone.ok) throw new OcvmError('service-start-failed', `the old ${s.name} job did not stop: ${gone.stderr}`, {hint: `See \`sudo launchctl print ${target}\` on the target, stop it, then run the hook again.`})
      // A disabled service cannot be bootstrapped: enable first.
      await ctx.shell.exec(['launchctl', 'enable', target], {timeoutMs: 30_000})
      const boot = await ctx.shell.exec(['launchctl', 'bootstrap', 'system', file], {allowFailure: true, timeoutMs: 60_000})
      if (boot.exitCode !== 0) throw new OcvmError('service-start-failed', `launchctl bootstrap system ${file} failed on ${ctx.shell.label}: ${boot.stderr.trim().split('\n')[0] ?? `exit ${boot.exitCode}`}`, {hint: `Check the plist with \`plutil -lint ${file}\` and the log dir ${s.logDir}; then run the hook again.`})
      changed.push(`launchctl bootstrap system ${file}`)
      return {changed, actions}
    }
    if (init === 'none') {
      // No service manager to install into: the gateway runs, and the user learns it will not come back by itself.
      changed.push(await startByHand(ctx, s))
      actions.push(`No service manager runs on ${ctx.shell.label} (systemd is not PID 1 there): ocvm started the gateway by hand as ${s.user}, and it will not start again after a reboot. Start \`${s.openclaw} gateway run\` as ${s.user} from the host's init (or boot it with systemd and run \`ocvm hooks run ocvm/services --on HOST\`).`)
      return {changed, actions}
    }
    const r = await ctx.shell.script(INSTALL_UNIT, [file, s.name], {input: systemdUnit(s), allowFailure: true, timeoutMs: 60_000})
    if (r.exitCode !== 0) {
      throw new OcvmError('service-invalid', `systemd-analyze verify refused the generated unit: ${unitProblems(r.stderr, s.name).join('; ') || r.stderr.trim()}`, {hint: 'Check the paths it names on the target (the openclaw CLI, the user), then run the hook again.'})
    }
    changed.push(`${file} generated and checked with systemd-analyze verify`)
    for (const argv of [['systemctl', 'daemon-reload'], ['systemctl', 'enable', s.name], ['systemctl', 'restart', s.name]]) {
      const res = await ctx.shell.exec(argv, {allowFailure: true, timeoutMs: 120_000})
      if (res.exitCode !== 0) {
        const why = res.stderr.trim().split('\n').pop() ?? `exit ${res.exitCode}`
        throw new OcvmError('service-start-failed', `${argv.join(' ')} failed on ${ctx.shell.label}: ${why}`, {
          hint: NO_SYSTEMD.test(res.stderr)
            ? `systemd is not running on the target (a container?): ${file} is in place; start the gateway with the host's init, or as ${s.user}: openclaw gateway run.`
            : `See why with: journalctl -u ${s.name} -n 50 (on the target), fix it, and run the hook again.`,
        })
      }
      changed.push(argv.join(' '))
    }
    return {changed, actions}
  },
  async verify(ctx) {
    return state(ctx, await locate(ctx))
  },
})
