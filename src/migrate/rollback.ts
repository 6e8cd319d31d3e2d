import type {Context} from '../context.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import {removeStaging} from './commit.js'
import {startGateway} from './gateway-control.js'
import {Journal} from './journal.js'
import {toResult} from './result.js'
import type {MigrationResult, MigrationState} from './types.js'

/** Undo: start the source gateway again and take the activated copy off the target (kept aside, not deleted). */
export async function rollback(runId: string, ctx: Context): Promise<MigrationResult> {
  const journal = Journal.open<MigrationState>(runId)
  const state = journal.data
  // An import's source is an archive: nothing to restart there.
  const source = state.archive ? undefined : ctx.shells.get(parseHostSpec(state.options.from))
  const target = ctx.shells.get(parseHostSpec(state.options.to))
  await removeStaging(target, state.roots)
  for (const root of state.roots.filter((r) => r.activated)) {
    ctx.reporter.step(`Taking ${root.target} out of service on ${target.label}`)
    await target.script('[ -e "$1" ] && mv -- "$1" "$1.ocvm-rolledback-$2"; [ -e "$1.ocvm-old-$2" ] && mv -- "$1.ocvm-old-$2" "$1"; exit 0', [root.target, runId], {timeoutMs: 60_000})
  }
  const started = state.stop && source ? await startGateway(source, state.stop, state.source.stateDir) : 'nothing to start'
  journal.update({status: 'rolled-back', roots: state.roots.map((r) => ({...r, activated: false})), committed: false})
  return toResult(journal.data, {diffs: [], warnings: [], nextSteps: [`Source: ${started}.`, 'The target copy was renamed to *.ocvm-rolledback-<run> (delete it when you are sure).']})
}
