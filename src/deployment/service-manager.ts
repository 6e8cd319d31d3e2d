import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import {bootoutAndWait} from './launchd.js'

/**
 * A gateway service as its service manager knows it. `machine` (systemd user units of another
 * user than the login user): the `-M user@` that reaches that user's manager.
 */
export type GatewayService =
  | {kind: 'systemd'; unit: string; scope: 'system' | 'user'; machine?: string}
  | {kind: 'launchd'; domain: string; label: string; plist: string}

/** What the service manager says about a service now (launchd: loaded counts as active). */
export interface ServiceNow {
  enabled: boolean
  active: boolean
}

export function systemctlArgv(s: Extract<GatewayService, {kind: 'systemd'}>, ...args: string[]): string[] {
  return ['systemctl', ...(s.scope === 'user' ? ['--user', ...(s.machine ? ['-M', s.machine] : [])] : []), ...args]
}

export function serviceName(s: GatewayService): string {
  return s.kind === 'systemd' ? s.unit : `${s.domain}/${s.label}`
}

// systemctl is-active prints one word; these are the states in which the unit has (or is about to
// have) a process: stopping and disabling it is what takes the gateway down.
const RUNNING_STATES = new Set(['active', 'activating', 'reloading', 'refreshing', 'deactivating'])
const ENABLED_STATES = new Set(['enabled', 'enabled-runtime', 'linked', 'linked-runtime', 'alias'])

/** Pure: `launchctl print-disabled DOMAIN` output → whether `label` is disabled there. */
export function launchdDisabled(printDisabled: string, label: string): boolean {
  const line = printDisabled.split('\n').find((l) => l.includes(`"${label}"`))
  return line !== undefined && /=>\s*(disabled|true)\s*$/.test(line.trim())
}

/** Asks the service manager (never the process list) whether the service is enabled and running. */
export async function serviceNow(shell: Shell, s: GatewayService): Promise<ServiceNow> {
  if (s.kind === 'systemd') {
    const [enabled, active] = await Promise.all([
      shell.exec(systemctlArgv(s, 'is-enabled', s.unit), {allowFailure: true, timeoutMs: 30_000}),
      shell.exec(systemctlArgv(s, 'is-active', s.unit), {allowFailure: true, timeoutMs: 30_000}),
    ])
    return {enabled: ENABLED_STATES.has(enabled.stdout.trim()), active: RUNNING_STATES.has(active.stdout.trim())}
  }
  const [loaded, disabled] = await Promise.all([
    shell.exec(['launchctl', 'print', serviceName(s)], {allowFailure: true, timeoutMs: 30_000}),
    shell.exec(['launchctl', 'print-disabled', s.domain], {allowFailure: true, timeoutMs: 30_000}),
  ])
  return {enabled: !launchdDisabled(disabled.stdout, s.label), active: loaded.exitCode === 0}
}

function failed(shell: Shell, what: string, stderr: string, hint: string): OcvmError {
  const why = stderr.trim().split('\n').pop() ?? ''
  return new OcvmError('gateway-stop-failed', `${what} on ${shell.label} failed${why ? `: ${why}` : ''}`, {hint})
}

/**
 * Stops the service and, with `disable`, keeps it from coming back: no boot, login, `Restart=`
 * or `KeepAlive` brings it back. Idempotent.
 */
export async function stopService(shell: Shell, s: GatewayService, disable: boolean): Promise<void> {
  if (s.kind === 'systemd') {
    const argv = systemctlArgv(s, ...(disable ? ['disable', '--now'] : ['stop']), s.unit)
    const r = await shell.exec(argv, {allowFailure: true, timeoutMs: 120_000})
    if (r.exitCode !== 0) throw failed(shell, argv.join(' '), r.stderr, `Stop it yourself (${argv.join(' ')}), then run the migration again.`)
    return
  }
  // bootout returns before the gateway has exited: the final copy must wait for it.
  const gone = await bootoutAndWait(shell, serviceName(s))
  if (!gone.ok) throw failed(shell, `launchctl bootout ${serviceName(s)}`, gone.stderr, `Stop it yourself (sudo launchctl bootout ${serviceName(s)}), then run the migration again.`)
  if (!disable) return
  const r = await shell.exec(['launchctl', 'disable', serviceName(s)], {allowFailure: true, timeoutMs: 30_000})
  if (r.exitCode !== 0) throw failed(shell, `launchctl disable ${serviceName(s)}`, r.stderr, `Disable it yourself (sudo launchctl disable ${serviceName(s)}), then run the migration again.`)
}

/** Puts the service back as it was: enabled if it was, started if it ran. Returns what it did. */
export async function restoreService(shell: Shell, s: GatewayService, was: ServiceNow): Promise<string[]> {
  const done: string[] = []
  const run = async (argv: string[]) => {
    await shell.exec(argv, {timeoutMs: 120_000})
    done.push(argv.join(' '))
  }
  if (s.kind === 'systemd') {
    if (was.enabled) await run(systemctlArgv(s, 'enable', s.unit))
    if (was.active) await run(systemctlArgv(s, 'start', s.unit))
    return done
  }
  // A disabled service cannot be bootstrapped: enable first.
  if (was.enabled) await run(['launchctl', 'enable', serviceName(s)])
  if (was.active) await run(['launchctl', 'bootstrap', s.domain, s.plist])
  return done
}
