import type {Context} from '../../context.js'
import {probeHost} from '../../deployment/host-facts.js'
import {discoverServices} from '../../deployment/services.js'
import {waitForHealth} from '../../deployment/health.js'
import {journaledHosts, journaledTarget} from '../../pipeline/run-hosts.js'
import {removeStaging} from '../../deployment/commit.js'
import type {Shell} from '../../hosts/shell.js'
import {describeStop, executeStop, gatewayServices, planStop, queryServices, settleStop, startGateway} from '../../deployment/gateway-control.js'
import {Journal} from '../../pipeline/journal.js'
import {toResult} from '../result.js'
import type {GatewayStop, MigrationResult, MigrationState} from '../types.js'

// Moves this run's copy aside (never deletes it) and puts back what --force had kept aside.
const TAKE_OUT = String.raw`
t="$1"; run="$2"; staging="$3"; sure="$4"
if [ "$sure" = 1 ] || [ ! -d "$staging" ]; then
  if [ -e "$t" ] || [ -L "$t" ]; then mv -- "$t" "$t.ocvm-rolledback-$run" || exit 4; fi
fi
if [ -e "$t.ocvm-old-$run" ] && [ ! -e "$t" ]; then mv -- "$t.ocvm-old-$run" "$t" || exit 4; fi
exit 0
`

/** How long a restarted source gateway has to answer /health before the rollback says it does not. */
const HEALTH_WAIT_MS = 60_000

/** What `--rollback RUN` will do, for the confirmation (nothing is changed to find out). */
export function describeStateRollback(state: MigrationState): string[] {
  const lines: string[] = []
  if (state.committed || state.hooks) lines.push(`Stop and disable ${state.target.user}'s gateway on ${state.target.host} (if one runs there)`)
  const roots = state.roots.filter((r) => r.activated || r.activating)
  if (roots.length > 0) lines.push(`Take ${roots.map((r) => r.target).join(', ')} out of service on ${state.target.host} (renamed to *.ocvm-rolledback-${state.runId}, not deleted)`)
  lines.push(`Remove this run's staging dirs on ${state.target.host}`)
  if (!state.archive) lines.push(state.stop && state.stop.kind !== 'none' ? `Put the source gateway on ${state.source.host} back as it was (it was ${describeStop(state.stop)} by this run) and wait for its /health` : `The source gateway on ${state.source.host} was not running when the run began: it stays stopped`)
  return lines
}

/**
 * Undo: the target's gateway stopped and disabled (so exactly one gateway runs afterwards), the
 * activated copy taken off the target (kept aside, not deleted), and the source gateway put back as
 * it was and asked for /health.
 */
export async function rollbackState(runId: string, ctx: Context): Promise<MigrationResult> {
  const journal = Journal.open<MigrationState>(runId)
  const state = journal.data
  // An import's source is an archive: nothing to restart there.
  const source = state.archive ? undefined : ctx.shells.get(journaledHosts(state.options).source)
  const target = ctx.shells.get(journaledTarget(state.options))
  const live: string[] = []
  // First the target: once the source starts, two gateways of one deployment must never run.
  if (state.committed || state.hooks) {
    const stopped = await stopTargetGateway(target, state, ctx)
    if (stopped.kind !== 'none') live.push(`Target: ${state.target.user}'s gateway on ${target.label} ${describeStop(stopped)}.`)
  }
  // Before staging is removed: for a root whose commit was interrupted, a staging dir that is gone
  // means the rename happened.
  for (const root of state.roots.filter((r) => r.activated || r.activating)) {
    ctx.reporter.step(`Taking ${root.target} out of service on ${target.label}`)
    await target.script(TAKE_OUT, [root.target, runId, root.staging, root.activated ? '1' : '0'], {timeoutMs: 60_000})
  }
  await removeStaging(target, state.roots)
  let status: MigrationResult['status'] = 'rolled-back'
  if (source && state.stop) {
    const running = await settleStop(source, state.stop, state.source.user)
    const started = await startGateway(source, state.stop, state.source.stateDir, running)
    live.push(`Source: ${started}.`)
    if (state.stop.kind !== 'none') {
      ctx.reporter.step(`Waiting for the source gateway's /health on ${source.label}`)
      const port = state.source.port ?? 18_789
      const health = await waitForHealth(source, port, HEALTH_WAIT_MS)
      if (health.ok) live.push(`Live now: the source gateway on ${source.label} (/health answered on port ${port}).`)
      else {
        status = 'partial'
        live.push(`The source gateway on ${source.label} did not answer /health on port ${port} within ${HEALTH_WAIT_MS / 1000} s${health.last ? ` (it said: ${health.last.slice(0, 120)})` : ''}: check its log (${state.source.stateDir}/logs/) and its service.`)
      }
    }
  }
  journal.update({status: 'rolled-back', roots: state.roots.map((r) => ({...r, activated: false, activating: false})), committed: false})
  return {
    ...toResult(journal.data, {diffs: [], warnings: [], nextSteps: [...live, 'The target copy was renamed to *.ocvm-rolledback-<run> (delete it when you are sure).']}),
    status,
  }
}

/** Stops and disables the gateway the hooks set up on the target (or started by hand there). */
async function stopTargetGateway(target: Shell, state: MigrationState, ctx: Context): Promise<GatewayStop> {
  const {user, home} = state.target
  ctx.reporter.step(`Stopping ${user}'s gateway on ${target.label}, if it runs`)
  const [facts, services] = await Promise.all([probeHost(target, user), discoverServices(target, {home}, ctx.runner.redactor)])
  const stop = planStop(user, await queryServices(target, gatewayServices(user, services(home), facts, state.options.profile)), facts)
  await executeStop(target, stop, true)
  return stop
}
