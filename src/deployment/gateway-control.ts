import {bootoutAndWait} from './launchd.js'
import {OcvmError} from '../errors.js'
import type {HostFacts} from './host-facts.js'
import type {ServiceFile} from './services.js'
import type {Shell} from '../hosts/shell.js'

/** How the source gateway was stopped, so it can be started again (rollback, or the user's choice). */
export type GatewayStop =
  | {kind: 'none'}
  | {kind: 'systemd'; unit: string; scope: 'system' | 'user'}
  | {kind: 'launchd'; domain: string; label: string; plist: string}
  | {kind: 'process'; pids: number[]; user: string}

// Stops the source gateway through whatever manages it, and remembers how to start it again.
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

/**
 * How the gateway will be stopped (and so how to start it again), decided before anything is
 * stopped: the journal records it first, so a run killed in the middle of stopping still knows
 * what to start on --rollback. `facts` is a fresh probe of the source (its gateway processes now);
 * `services` are the service files found in preflight (secret values already dropped).
 */
export function planStop(user: string, services: readonly ServiceFile[], facts: Pick<HostFacts, 'tools' | 'loginUid' | 'gatewayProcesses'>): GatewayStop {
  const processes = facts.gatewayProcesses.filter((p) => p.user === user)
  if (processes.length === 0) return {kind: 'none'}
  const unit = services.find((s) => s.kind === 'systemd-unit' && s.scope === 'system' && s.runAs === user)
  if (unit && facts.tools.systemctl) return {kind: 'systemd', unit: unit.name, scope: 'system'}
  const daemon = services.find((s) => s.kind === 'launch-daemon' || s.kind === 'launch-agent')
  if (daemon && facts.tools.launchctl) {
    return {kind: 'launchd', domain: daemon.kind === 'launch-daemon' ? 'system' : `gui/${facts.loginUid}`, label: daemon.name, plist: daemon.path}
  }
  return {kind: 'process', pids: processes.map((p) => p.pid), user}
}

/** Stops the gateway as planned. Idempotent: a resumed run may stop what is already stopped. */
export async function executeStop(shell: Shell, stop: GatewayStop): Promise<void> {
  switch (stop.kind) {
    case 'none': return
    case 'systemd':
      await shell.exec(['systemctl', 'stop', stop.unit], {timeoutMs: 120_000})
      return
    case 'launchd': {
      // bootout returns before the gateway has exited: the final copy must wait for it.
      const gone = await bootoutAndWait(shell, `${stop.domain}/${stop.label}`)
      if (!gone.ok) throw new OcvmError('gateway-stop-failed', `the gateway (${stop.label}) on ${shell.label} did not stop: ${gone.stderr}`, {hint: 'Stop it yourself (sudo launchctl bootout …), then run the migration again.'})
      return
    }
    case 'process': {
      const result = await shell.script(STOP_PROCESSES, stop.pids.map(String), {allowFailure: true, timeoutMs: 60_000})
      if (result.exitCode !== 0) {
        throw new OcvmError('gateway-stop-failed', `the gateway (pid ${stop.pids.join(', ')}) on ${shell.label} did not stop within 30 s`, {
          hint: 'Stop it yourself (systemctl stop openclaw-gateway, launchctl bootout …, or kill), then run the migration again.',
        })
      }
    }
  }
}

/** Plans and stops in one go, for callers that journal nothing in between (export). */
export async function stopGateway(shell: Shell, user: string, services: readonly ServiceFile[], facts: Pick<HostFacts, 'tools' | 'loginUid' | 'gatewayProcesses'>): Promise<GatewayStop> {
  const stop = planStop(user, services, facts)
  await executeStop(shell, stop)
  return stop
}

// A gateway that was started by hand is started again the way the docs start one, as its user,
// detached, logging into the state dir.
const START_PROCESS = String.raw`
u="$1"; state="$2"
cmd='cd "$HOME" && mkdir -p "$0/logs" && nohup openclaw gateway run >>"$0/logs/gateway.log" 2>&1 </dev/null &'
if [ "$(id -un)" = "$u" ]; then sh -c "$cmd" "$state"; else su -s /bin/sh "$u" -c "$cmd" "$state"; fi
`

/** `running`: the gateway processes of the source user now (a run killed before the stop left it running). */
export async function startGateway(shell: Shell, stop: GatewayStop, stateDir: string, running = false): Promise<string> {
  if (running && stop.kind !== 'none') return 'the gateway is still running; nothing to start'
  switch (stop.kind) {
    case 'none': return 'the gateway was not running; nothing to start'
    case 'systemd':
      await shell.exec(['systemctl', 'start', stop.unit], {timeoutMs: 120_000})
      return `started ${stop.unit} again`
    case 'launchd':
      await shell.exec(['launchctl', 'bootstrap', stop.domain, stop.plist], {timeoutMs: 120_000})
      return `bootstrapped ${stop.label} again`
    case 'process':
      await shell.script(START_PROCESS, [stop.user, stateDir], {timeoutMs: 60_000})
      return `started \`openclaw gateway run\` again as ${stop.user}`
  }
}

export function describeStop(stop: GatewayStop | undefined): string {
  switch (stop?.kind) {
    case undefined: case 'none': return 'was not running'
    case 'systemd': return `stopped with systemctl stop ${stop.unit}`
    case 'launchd': return `stopped with launchctl bootout ${stop.domain}/${stop.label}`
    case 'process': return `stopped (pid ${stop.pids.join(', ')}, started by hand)`
  }
}
