import {getPath} from '../deployment/config-loader.js'
import {OcvmError} from '../errors.js'
import {parseLaunchctlPrint} from '../deployment/launchd.js'
import {waitForHealth} from '../deployment/health.js'
import {whatsappListening} from './whatsapp-listening.js'
import type {HookContext} from '../postmigrate/api.js'
import {runAsUser} from '../postmigrate/as-user.js'
import {permissions} from '../postmigrate/hooks/permissions.js'
import {schedules} from '../postmigrate/hooks/schedules.js'
import {secrets} from '../postmigrate/hooks/secrets.js'
import {services} from '../postmigrate/hooks/services.js'
import {isLoopbackListen} from '../postmigrate/hooks/networking.js'
import {launchDaemonPath, launchdLabel, logDir, secretsFilePath, targetInputs} from '../postmigrate/inputs.js'
import {parseMemoryStatus} from '../postmigrate/memory-status.js'
import {readTargetConfig} from '../postmigrate/target-config.js'

/** `skipped`: could not be checked because a check it needs failed (it says which); `n/a`: does not apply here. */
export type CheckStatus = 'pass' | 'fail' | 'skipped' | 'n/a'

/** One line of the Step 8 checklist. */
export interface CheckResult {
  id: string
  title: string
  status: CheckStatus
  detail: string
  /** What to do when it failed. */
  fix?: string
}

export interface VerifyCheck {
  id: string
  title: string
  /** It runs the openclaw CLI as the service user: skipped, not failed, when the `cli` check failed. */
  needsCli?: boolean
  run(ctx: HookContext, opts: {waitMs: number}): Promise<Omit<CheckResult, 'id' | 'title'>>
}

const pass = (detail: string) => ({status: 'pass' as const, detail})
const fail = (detail: string, fix: string) => ({status: 'fail' as const, detail, fix})
const na = (detail: string) => ({status: 'n/a' as const, detail})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

// OpenClaw's CLI refuses to run while another process holds the state's lifecycle lock: typically the
// gateway just started by ocvm/services, still in its startup migrations (which may try to install
// configured plugins with npm). That is "not yet", not a failed check: ask again until the wait is over.
const STATE_LOCK_BUSY = /another OpenClaw process owns state-lifecycle/

async function asUser(ctx: HookContext, argv: string[], waitMs: number, timeoutMs = 120_000) {
  const t = targetInputs(ctx)
  const deadline = Date.now() + waitMs
  for (;;) {
    // With the service's environment (its secrets file): what the CLI checks is what the gateway runs with.
    const r = await runAsUser(ctx.shell, t.user, t.home, argv, {allowFailure: true, timeoutMs, ...(ctx.os === 'linux' ? {envFile: secretsFilePath(t)} : {envPlist: launchDaemonPath(t)})})
    if (!STATE_LOCK_BUSY.test(r.stdout + r.stderr)) return r
    if (Date.now() >= deadline) {
      throw new OcvmError('state-busy', `\`${argv.join(' ')}\` could not run: another OpenClaw process (the gateway, still starting?) holds the state's lock`, {hint: `Wait until the gateway answers /health (its log: ${logDir(t)}/gateway.err.log), then run \`ocvm verify\` again.`})
    }
    await sleep(2000)
  }
}

function firstJson(text: string): unknown {
  // Log lines (`[plugins] …`) may come first: JSON starts at a line opening an object or an array.
  const start = text.search(/^(\{|\[\s*[{\]])/m)
  return start < 0 ? undefined : JSON.parse(text.slice(start))
}

// Where the service user's shell finds the CLI; without it, the PATH it searched (not a secret).
const LOCATE_CLI = 'command -v openclaw || { printf "PATH=%s\\n" "$PATH"; exit 127; }'

/** Skipped checks point at it: "needs the openclaw CLI (see above)". */
export const CLI_CHECK_ID = 'cli'

export const CHECKS: VerifyCheck[] = [
  {
    // First, and once: without the CLI every check that runs it would fail with the shell's raw
    // `exec: openclaw: not found`. This one says what to do; those are skipped.
    id: CLI_CHECK_ID,
    title: 'openclaw CLI on the service user\'s PATH',
    async run(ctx, {waitMs}) {
      const t = targetInputs(ctx)
      const r = await asUser(ctx, ['sh', '-c', LOCATE_CLI], waitMs, 30_000)
      const found = r.stdout.trim().split('\n')[0] ?? ''
      if (r.exitCode === 0 && found.startsWith('/')) return pass(found)
      const searched = /^PATH=(.*)$/m.exec(r.stdout)?.[1]
      if (searched === undefined) {
        return fail(`could not run a command as ${t.user} on ${ctx.shell.label}: ${r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`}`, `Check that the user ${t.user} exists (--user) and that ocvm logs in as root or as ${t.user}.`)
      }
      return fail(`openclaw is not installed for ${t.user} on ${ctx.shell.label}, or not on its PATH (${searched})`, `Install it there (Node >= 24, then \`npm install -g openclaw\`, as the guide's Step 2 says), or put the directory that holds \`openclaw\` on ${t.user}'s PATH; then run \`ocvm verify\` again.`)
    },
  },
  {
    id: 'config',
    title: 'openclaw config validate',
    needsCli: true,
    async run(ctx, {waitMs}) {
      const r = await asUser(ctx, ['openclaw', 'config', 'validate', '--json'], waitMs)
      let parsed: {valid?: boolean; issues?: Array<{message?: string; path?: string}>} | undefined
      try {
        parsed = firstJson(r.stdout) as typeof parsed
      } catch {
        parsed = undefined
      }
      if (parsed?.valid === true) return pass('the config is valid')
      const issues = parsed?.issues?.map((i) => `${i.path ?? ''} ${i.message ?? ''}`.trim()).join('; ')
      return fail(issues || r.stderr.trim().split('\n').pop() || `exit ${r.exitCode}`, 'Run `openclaw doctor --fix` as the service user, or fix the keys named above.')
    },
  },
  {
    id: 'service',
    title: 'service enabled, running, not crash-looping',
    needsCli: true,
    async run(ctx) {
      const state = await services.check(ctx)
      if (!state.satisfied) return fail(state.details.join('; '), '`ocvm hooks run ocvm/services --on HOST` recreates, enables and starts it.')
      const t = targetInputs(ctx)
      if (ctx.os === 'linux') {
        const name = t.instance ? `openclaw-gateway-${t.instance}.service` : 'openclaw-gateway.service'
        const restarts = Number((await ctx.shell.exec(['systemctl', 'show', '-p', 'NRestarts', '--value', name], {allowFailure: true, timeoutMs: 30_000})).stdout.trim())
        if (Number.isFinite(restarts) && restarts >= 3) return fail(`${name} restarted ${restarts} times`, `It is crash-looping: journalctl -u ${name} -n 100, and ${logDir(t)}/gateway.err.log.`)
      } else {
        // launchd restarts a KeepAlive job that exits: many runs that ended in an error is a crash loop.
        const target = `system/${launchdLabel(t)}`
        const job = parseLaunchctlPrint((await ctx.shell.exec(['launchctl', 'print', target], {allowFailure: true, timeoutMs: 30_000})).stdout)
        if (job.runs >= 3 && job.lastExit !== undefined && job.lastExit !== 0) return fail(`${target} ran ${job.runs} times, last exit code ${job.lastExit} (${job.state})`, `It is crash-looping: see ${logDir(t)}/gateway.err.log, fix it, then sudo launchctl kickstart -k ${target}.`)
      }
      return pass('enabled and running')
    },
  },
  {
    id: 'health',
    title: 'GET /health answers {"ok":true}',
    async run(ctx, {waitMs}) {
      const t = targetInputs(ctx)
      const {ok, last} = await waitForHealth(ctx.shell, t.port, waitMs)
      if (ok) return pass(`ok (status ${String((JSON.parse(last) as {status?: unknown}).status ?? 'n/a')})`)
      if (last.startsWith('<')) return fail('/health answered HTML (the UI page), not the health JSON', 'This OpenClaw predates /health (2026.3.1): upgrade it, or use `openclaw health --json`.')
      return fail(last ? `unexpected answer: ${last.slice(0, 120)}` : `no answer on 127.0.0.1:${t.port}`, 'Check that the gateway runs (service check) and its log: tail -50 STATE/logs/gateway.err.log.')
    },
  },
  {
    id: 'loopback',
    title: 'gateway listens on loopback only',
    async run(ctx) {
      const t = targetInputs(ctx)
      const bind = getPath((await readTargetConfig(ctx.shell, t.configPath)).merged, 'gateway.bind')
      const r = await ctx.shell.script('if command -v ss >/dev/null 2>&1; then ss -ltnH "sport = :$1" | awk \'{print $4}\'; else lsof -nP -iTCP:"$1" -sTCP:LISTEN | awk \'NR>1{print $9}\'; fi', [String(t.port)], {allowFailure: true, timeoutMs: 30_000})
      const listening = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean)
      const exposed = listening.filter((a) => !isLoopbackListen(a))
      if (bind !== 'loopback' || exposed.length > 0) {
        return fail(`gateway.bind is ${JSON.stringify(bind ?? 'unset')}${exposed.length ? `; port ${t.port} listens on ${exposed.join(', ')}` : ''}`, `Set gateway.bind to "loopback" in ${t.configPath} and restart the gateway; reach it through Tailscale or ssh -L.`)
      }
      if (listening.length === 0) return fail(`nothing listens on port ${t.port}`, 'Start the gateway (see the service check).')
      return pass(`port ${t.port} on ${listening.join(', ')}`)
    },
  },
  {
    id: 'doctor',
    title: 'openclaw doctor --lint',
    needsCli: true,
    async run(ctx, {waitMs}) {
      const r = await asUser(ctx, ['openclaw', 'doctor', '--lint', '--json'], waitMs)
      let report: {findings?: Array<{severity?: string; message?: string; fixHint?: string}>} | undefined
      try {
        report = firstJson(r.stdout) as typeof report
      } catch {
        report = undefined
      }
      if (!report?.findings) return fail(`no lint report (exit ${r.exitCode})`, 'Run `openclaw doctor` as the service user and read what it says.')
      const errors = report.findings.filter((f) => f.severity === 'error' || f.severity === 'critical')
      if (errors.length > 0) return fail(errors.map((f) => f.message ?? '').join('; '), errors[0]?.fixHint ?? 'Run `openclaw doctor --fix`.')
      return pass(`no errors (${report.findings.length} warning(s); \`openclaw doctor\` lists them)`)
    },
  },
  {
    id: 'security',
    title: 'openclaw security audit: no critical findings',
    needsCli: true,
    async run(ctx, {waitMs}) {
      const r = await asUser(ctx, ['openclaw', 'security', 'audit', '--json'], waitMs)
      let report: {summary?: {critical?: number}; findings?: Array<{severity?: string; title?: string; remediation?: string}>} | undefined
      try {
        report = firstJson(r.stdout) as typeof report
      } catch {
        report = undefined
      }
      if (!report?.summary) return fail(`no audit report (exit ${r.exitCode})`, 'Run `openclaw security audit` as the service user.')
      const critical = (report.findings ?? []).filter((f) => f.severity === 'critical')
      if ((report.summary.critical ?? critical.length) > 0) return fail(critical.map((f) => f.title ?? '').join('; '), critical[0]?.remediation ?? 'Run `openclaw security audit` and fix the critical findings.')
      return pass('no critical findings')
    },
  },
  {
    id: 'memory',
    title: 'memory search index built',
    needsCli: true,
    async run(ctx, {waitMs}) {
      const r = await asUser(ctx, ['openclaw', 'memory', 'status', '--json'], waitMs)
      const agents = parseMemoryStatus(r.stdout)
      const stale = agents.filter((a) => !a.current || (a.eligible > 0 && a.chunks === 0))
      if (stale.length > 0) return fail(stale.map((a) => `${a.agent}: ${a.files}/${a.eligible} file(s) indexed`).join('; '), '`ocvm hooks run ocvm/memory-index --on HOST` (openclaw memory index --force as the service user).')
      return pass(agents.map((a) => `${a.agent}: ${a.files} file(s), ${a.chunks} chunk(s)`).join('; '))
    },
  },
  {
    id: 'permissions',
    title: 'permissions 700/600, owned by the service user',
    async run(ctx) {
      const s = await permissions.check(ctx)
      return s.satisfied ? pass('as the guide\'s Step 7 sets them') : fail(s.details.slice(0, 5).join('; ') + (s.details.length > 5 ? ` (+${s.details.length - 5} more)` : ''), '`ocvm hooks run ocvm/permissions --on HOST`.')
    },
  },
  {
    id: 'secrets',
    title: 'secrets present (names only), none empty',
    async run(ctx) {
      const s = await secrets.verify(ctx)
      return s.satisfied ? pass('present, root-owned, 600') : fail(s.details.join('; '), '`ocvm hooks run ocvm/secrets --on HOST --secrets-file FILE` (not-configured for keys you do not use).')
    },
  },
  {
    id: 'schedules',
    title: 'log rotation and cron jobs in place',
    async run(ctx) {
      const s = await schedules.verify(ctx)
      return s.satisfied ? pass('log rotation configured') : fail(s.details.join('; '), '`ocvm hooks run ocvm/schedules --on HOST --from OLD-HOST`.')
    },
  },
  {
    id: 'whatsapp',
    title: 'WhatsApp listening',
    async run(ctx) {
      const t = targetInputs(ctx)
      if (!t.channels.includes('whatsapp')) return na('WhatsApp is not configured')
      const said = await whatsappListening(ctx.shell, t.user, logDir(t))
      if (said === 'listening') return pass('the running gateway\'s log says it listens for inbound messages')
      if (said === 'no-gateway') return fail(`no gateway of ${t.user} runs, so nothing listens (older log lines do not count)`, 'Start it (see the service check), then run verify again.')
      return fail('the running gateway has not logged "Listening for personal WhatsApp inbound messages"', 'Check the WhatsApp credentials moved (credentials/whatsapp/<account>/creds.json) and channels.whatsapp.allowFrom has real numbers; re-link with `openclaw channels login` if the session was lost.')
    },
  },
]
