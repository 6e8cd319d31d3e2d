import type {Context} from '../context.js'
import type {MigrateOptions, MigrationState} from './types.js'
import type {Hook} from '../postmigrate/api.js'
import type {HookRunResult, HookStatus} from '../postmigrate/engine.js'
import type {SecretValues} from '../postmigrate/secrets-input.js'
import {runHooksOn} from '../postmigrate/session.js'

/** The hooks step of `ocvm migrate`, after commit: the run's own target, path map and source. */
export interface MigrationHookInputs {
  secrets?: SecretValues | undefined
  extraHooks?: readonly Hook[] | undefined
  /** Inside a VM the driver made or moved (state moves of the VM drivers), and which driver. */
  where?: 'host' | 'guest'
  driver?: string
}

export function runMigrationHooks(state: MigrationState, options: MigrateOptions, ctx: Context, inputs: MigrationHookInputs): Promise<HookRunResult> {
  ctx.reporter.step('hooks: set the target up to run (secrets, service, schedules, index, networking)')
  return runHooksOn({
    on: options.to,
    user: state.target.user,
    home: state.target.home,
    stateDir: state.target.stateDir,
    ...(options.hooks ? {ids: options.hooks} : {}),
    dryRun: false,
    mappings: state.mappings,
    from: {host: options.from, user: state.source.user, stateDir: state.source.stateDir, ...(options.profile ? {profile: options.profile} : {})},
    ...(inputs.secrets ? {secrets: inputs.secrets} : {}),
    ...(inputs.extraHooks ? {extraHooks: inputs.extraHooks} : {}),
    driver: inputs.driver ?? options.driver,
    ...(inputs.where ? {where: inputs.where} : {}),
  }, ctx)
}

/** One line for the journal and the step list: how many hooks changed, were fine, failed. */
export function describeHookRun(run: HookRunResult): string {
  const count = (status: HookStatus) => run.hooks.filter((h) => h.status === status).length
  const parts = [`${count('changed')} changed`, `${count('unchanged')} already right`]
  for (const status of ['not-applicable', 'not-run', 'failed'] as const) if (count(status) > 0) parts.push(`${count(status)} ${status}`)
  return `${run.hooks.length} hook(s): ${parts.join(', ')}`
}

/** A migration is partial when a `continue` hook failed, failed when a `fail` hook did. */
export function statusWithHooks(status: 'ok' | 'partial' | 'failed' | 'planned', hooks: HookRunResult | undefined): 'ok' | 'partial' | 'failed' | 'planned' {
  if (!hooks || status !== 'ok') return status
  return hooks.status === 'failed' ? 'failed' : hooks.status === 'partial' ? 'partial' : status
}

// The migration's generic "next steps" that a hook has now taken care of.
const DONE_BY: Array<[string[], RegExp]> = [
  [['ocvm/services', 'ocvm/secrets'], /^Recreate the service and secrets/],
  [['ocvm/memory-index'], /^Rebuild the memory index/],
  [['ocvm/extensions'], /^Reinstall plugin dependencies/],
  [['ocvm/signal'], /^Signal does not transfer/],
]

/** Next steps after the hooks ran: what they did not settle, then the exact steps they leave to a human. */
export function nextStepsWithHooks(steps: readonly string[], hooks: HookRunResult): string[] {
  const ok = new Set(hooks.hooks.filter((h) => h.status === 'changed' || h.status === 'unchanged').map((h) => h.id))
  const kept = steps.filter((s) => !DONE_BY.some(([ids, re]) => re.test(s) && ids.every((id) => ok.has(id))))
  const failed = hooks.hooks.filter((h) => h.status === 'failed').map((h) => `[${h.id}] failed: ${h.error?.message ?? ''}${h.error?.hint ? ` — ${h.error.hint}` : ''}`)
  return [...kept, ...failed, ...hooks.hooks.flatMap((h) => h.actions.map((a) => `[${h.id}] ${a}`))]
}
