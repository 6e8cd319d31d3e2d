import {OcvmError} from '../errors.js'
import {gatewayProcesses, type HostFacts} from './host-facts.js'
import {restoreService, serviceName, serviceNow, stopService, type GatewayService, type ServiceNow} from './service-manager.js'
import type {ServiceFile} from './services.js'
import type {Shell} from '../hosts/shell.js'

export type {GatewayService, ServiceNow}

/**
 * How the source gateway was stopped, so it can be put back as it was (rollback, a cancelled run,
 * the end of an export). A service records what its manager said before the stop (`was`; absent
 * in journals of older runs, which only stopped it).
 */
export type GatewayStop =
  | {kind: 'none'}
  | (GatewayService & {was?: ServiceNow})
  | {kind: 'process'; pids: number[]; user: string}

// Never SIGKILL: a gateway that does not stop on SIGTERM within the grace period fails the
// migration before anything moved.
const STOP_PROCESSES = String.raw`
for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
i=0
while [ $i -lt 60 ]; do
  alive=0
  for p in "$@"; do if kill -0 "$p" 2>/dev/null; then alive=1; fi; done
  [ $alive = 0 ] && exit 0
  sleep 0.5; i=$((i+1))
done
exit 1
`

type StopFacts = Pick<HostFacts, 'loginUser' | 'uid' | 'gatewayProcesses' | 'serviceManager'>

/**
 * The services that may run `user`'s gateway, as the service manager that runs on the host names
 * them (a systemd unit file on a host whose init is not systemd runs nothing). A unit of the
 * profile's instance comes first.
 */
export function gatewayServices(user: string, services: readonly ServiceFile[], facts: StopFacts, profile?: string): GatewayService[] {
  const own = [...services].sort((a, b) => Number(b.instance === profile) - Number(a.instance === profile))
  if (facts.serviceManager === 'systemd') {
    return own.filter((s) => s.kind === 'systemd-unit' && (s.scope === 'user' || s.runAs === user)).map((s) => ({
      kind: 'systemd', unit: s.name, scope: s.scope,
      ...(s.scope === 'user' && facts.loginUser !== user ? {machine: `${user}@`} : {}),
    }))
  }
  if (facts.serviceManager === 'launchd') {
    return own.filter((s) => s.kind === 'launch-daemon' || s.kind === 'launch-agent').map((s) => ({
      kind: 'launchd', domain: s.kind === 'launch-daemon' ? 'system' : `gui/${facts.uid}`, label: s.name, plist: s.path,
    }))
  }
  return []
}

/** Each candidate service with what its manager says now. */
export async function queryServices(shell: Shell, candidates: readonly GatewayService[]): Promise<Array<{service: GatewayService; now: ServiceNow}>> {
  return Promise.all(candidates.map(async (service) => ({service, now: await serviceNow(shell, service)})))
}

/**
 * How the gateway will be stopped (and so how to put it back), decided before anything is stopped:
 * the journal records it first, so a run killed in the middle of stopping still knows what to
 * start on --rollback. The service manager decides, not the process list: a unit that is enabled
 * or active (between two `Restart=always` restarts, still starting) is stopped and disabled even
 * when no gateway process shows at this instant. Without one, the user's gateway processes.
 */
export function planStop(user: string, services: ReadonlyArray<{service: GatewayService; now: ServiceNow}>, facts: Pick<HostFacts, 'gatewayProcesses'>): GatewayStop {
  const managed = services.find((s) => s.now.enabled || s.now.active)
  if (managed) return {...managed.service, was: managed.now}
  const processes = facts.gatewayProcesses.filter((p) => p.user === user)
  if (processes.length === 0) return {kind: 'none'}
  return {kind: 'process', pids: processes.map((p) => p.pid), user}
}

/**
 * Stops the gateway as planned. `disable` (the cutover): the service cannot come back (boot,
 * `Restart=`, `KeepAlive`); without it (an export's pause) it is only stopped. Idempotent: a resumed
 * run may stop what is already stopped.
 */
export async function executeStop(shell: Shell, stop: GatewayStop, disable: boolean): Promise<void> {
  switch (stop.kind) {
    case 'none': return
    case 'systemd': case 'launchd':
      await stopService(shell, stop, disable)
      return
    case 'process': await stopProcesses(shell, stop.pids)
  }
}

/** SIGTERMs the processes and waits for them to exit (30 s), else fails. */
export async function stopProcesses(shell: Shell, pids: readonly number[]): Promise<void> {
  const result = await shell.script(STOP_PROCESSES, pids.map(String), {allowFailure: true, timeoutMs: 60_000})
  if (result.exitCode !== 0) {
    throw new OcvmError('gateway-stop-failed', `the gateway (pid ${pids.join(', ')}) on ${shell.label} did not stop within 30 s`, {
      hint: 'Stop it yourself (systemctl stop openclaw-gateway, launchctl bootout …, or kill), then run the migration again.',
    })
  }
}

/** The gateway processes of `user` on the host now. */
export async function gatewayPids(shell: Shell, user: string): Promise<number[]> {
  return (await gatewayProcesses(shell)).filter((p) => p.user === user).map((p) => p.pid)
}

/** Plans and stops (without disabling) in one go, for a pause that journals nothing in between (export). */
export async function pauseGateway(shell: Shell, user: string, services: readonly ServiceFile[], facts: StopFacts, profile?: string): Promise<GatewayStop> {
  const stop = planStop(user, await queryServices(shell, gatewayServices(user, services, facts, profile)), facts)
  await executeStop(shell, stop, false)
  return stop
}

// ss (Linux), lsof (macOS), netstat (elsewhere): whichever the host has says whether anything listens.
const PORT_STATE = String.raw`
port="$1"
if command -v ss >/dev/null 2>&1; then ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && echo open || echo closed
elif command -v lsof >/dev/null 2>&1; then lsof -nP -iTCP:"$port" -sTCP:LISTEN >/dev/null 2>&1 && echo open || echo closed
elif command -v netstat >/dev/null 2>&1; then netstat -an 2>/dev/null | grep -Eq "[.:]$port[[:space:]].*LISTEN" && echo open || echo closed
else echo unknown; fi
`

export async function portState(shell: Shell, port: number): Promise<'open' | 'closed' | 'unknown'> {
  const out = (await shell.script(PORT_STATE, [String(port)], {allowFailure: true, timeoutMs: 30_000})).stdout.trim()
  return out === 'open' || out === 'closed' ? out : 'unknown'
}

/**
 * Proves the gateway is down and stays down: its service inactive, no gateway process of `user`,
 * nothing listening on its port. A stray process of the user (a gateway started by hand beside
 * its service) is stopped too. Throws, naming what still runs, before anything is copied or
 * started.
 */
export async function confirmStopped(shell: Shell, stop: GatewayStop, user: string, port: number): Promise<void> {
  const alive: string[] = []
  if ((stop.kind === 'systemd' || stop.kind === 'launchd') && (await serviceNow(shell, stop)).active) alive.push(`${serviceName(stop)} is active again`)
  const strays = await gatewayPids(shell, user)
  if (strays.length > 0) await stopProcesses(shell, strays)
  if ((await portState(shell, port)) === 'open') alive.push(`something listens on the gateway's port ${port}`)
  if (alive.length > 0) {
    throw new OcvmError('gateway-still-running', `the source gateway on ${shell.label} is not down: ${alive.join('; ')}`, {
      hint: 'Something restarts it (a second service, a supervisor, cron): stop that, then continue the run.',
    })
  }
}

/**
 * A run interrupted while it stopped a hand-started gateway may have left the recorded processes
 * running or still on their way out (the stop outlives ocvm on the host). Finish that stop, so
 * exactly one gateway runs after the start; returns whether another gateway of the user already runs
 * (then nothing is started).
 */
export async function settleStop(shell: Shell, stop: GatewayStop, user: string): Promise<boolean> {
  // A service is put back by its manager, which is idempotent: nothing to settle.
  if (stop.kind !== 'process') return false
  const live = await gatewayPids(shell, user)
  const stale = live.filter((pid) => stop.pids.includes(pid))
  if (stale.length > 0) await stopProcesses(shell, stale)
  return live.some((pid) => !stop.pids.includes(pid))
}

// A gateway that was started by hand is started again the way the docs start one, as its user,
// detached, logging into the state dir.
const START_PROCESS = String.raw`
u="$1"; state="$2"
cmd='cd "$HOME" && mkdir -p "$0/logs" && nohup openclaw gateway run >>"$0/logs/gateway.log" 2>&1 </dev/null &'
if [ "$(id -un)" = "$u" ]; then sh -c "$cmd" "$state"; else su -s /bin/sh "$u" -c "$cmd" "$state"; fi
`

/**
 * Puts the gateway back as it was before the stop. `running`: the gateway processes of the source
 * user now (a run killed before the stop left it running).
 */
export async function startGateway(shell: Shell, stop: GatewayStop, stateDir: string, running = false): Promise<string> {
  if (running && stop.kind !== 'none') return 'the gateway is still running; nothing to start'
  switch (stop.kind) {
    case 'none': return 'the gateway was not running; nothing to start'
    case 'systemd': case 'launchd': {
      const done = await restoreService(shell, stop, stop.was ?? {enabled: false, active: true})
      return done.length > 0 ? `${done.join(', ')} again` : `${serviceName(stop)} was neither enabled nor running; nothing to start`
    }
    case 'process':
      await shell.script(START_PROCESS, [stop.user, stateDir], {timeoutMs: 60_000})
      return `started \`openclaw gateway run\` again as ${stop.user}`
  }
}

/** `disabled`: a cutover's stop (an export only pauses the gateway). */
export function describeStop(stop: GatewayStop | undefined, disabled = true): string {
  const how = disabled ? 'stopped and disabled' : 'stopped'
  switch (stop?.kind) {
    case undefined: case 'none': return 'was not running'
    case 'systemd': return `${how} (${stop.scope === 'user' ? 'systemd user unit' : 'systemd'} ${stop.unit})`
    case 'launchd': return `${how} (launchd ${stop.domain}/${stop.label})`
    case 'process': return `stopped (pid ${stop.pids.join(', ')}, started by hand)`
  }
}
