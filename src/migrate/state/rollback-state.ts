import type {Context} from '../../context.js'
import {probeHost} from '../../deployment/host-facts.js'
import {journaledHosts, journaledTarget} from '../../pipeline/run-hosts.js'
import {removeStaging} from '../../deployment/commit.js'
import type {Shell} from '../../hosts/shell.js'
import {executeStop, startGateway} from '../../deployment/gateway-control.js'
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

/** Undo: start the source gateway again and take the activated copy off the target (kept aside, not deleted). */
export async function rollbackState(runId: string, ctx: Context): Promise<MigrationResult> {
  const journal = Journal.open<MigrationState>(runId)
  const state = journal.data
  // An import's source is an archive: nothing to restart there.
  const source = state.archive ? undefined : ctx.shells.get(journaledHosts(state.options).source)
  const target = ctx.shells.get(journaledTarget(state.options))
  // Before staging is removed: for a root whose commit was interrupted, a staging dir that is gone
  // means the rename happened.
  for (const root of state.roots.filter((r) => r.activated || r.activating)) {
    ctx.reporter.step(`Taking ${root.target} out of service on ${target.label}`)
    await target.script(TAKE_OUT, [root.target, runId, root.staging, root.activated ? '1' : '0'], {timeoutMs: 60_000})
  }
  await removeStaging(target, state.roots)
  const running = state.stop && source ? await settleInterruptedStop(source, state.stop, state.source.user) : false
  const started = state.stop && source ? await startGateway(source, state.stop, state.source.stateDir, running) : 'nothing to start'
  journal.update({status: 'rolled-back', roots: state.roots.map((r) => ({...r, activated: false, activating: false})), committed: false})
  return toResult(journal.data, {diffs: [], warnings: [], nextSteps: [`Source: ${started}.`, 'The target copy was renamed to *.ocvm-rolledback-<run> (delete it when you are sure).']})
}

/**
 * A run killed while it stopped a hand-started gateway may have left the recorded processes running
 * or still on their way out (the stop outlives ocvm on the host). Finish that stop, so exactly one
 * gateway runs after the start; returns whether another gateway of the user already runs.
 */
async function settleInterruptedStop(source: Shell, stop: GatewayStop, user: string): Promise<boolean> {
  if (stop.kind !== 'process') return false
  const live = (await probeHost(source, undefined)).gatewayProcesses.filter((p) => p.user === user)
  const stale = live.filter((p) => stop.pids.includes(p.pid)).map((p) => p.pid)
  if (stale.length > 0) await executeStop(source, {...stop, pids: stale})
  return live.some((p) => !stop.pids.includes(p.pid))
}
