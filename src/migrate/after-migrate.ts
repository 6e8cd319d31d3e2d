import type {Context} from '../context.js'
import {KEYED_NEXT_STEPS} from './result.js'
import type {RunHosts} from '../pipeline/run-hosts.js'
import type {MigrateOptions, MigrationState} from './types.js'
import type {Hook, NextStepKey} from '../postmigrate/api.js'
import {BUILTIN_HOOKS} from '../postmigrate/catalog.js'
import type {HookReport, HookRunResult, HookStatus} from '../postmigrate/engine.js'
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

/** `hosts`: where the state came from (read for schedules and secret names) and where it landed. */
export function runMigrationHooks(state: MigrationState, options: MigrateOptions, hosts: RunHosts, ctx: Context, inputs: MigrationHookInputs): Promise<HookRunResult> {
  ctx.reporter.step('hooks: set the target up to run (secrets, service, schedules, index, networking)')
  return runHooksOn({
    on: hosts.target,
    user: state.target.user,
    home: state.target.home,
    stateDir: state.target.stateDir,
    ...(options.hooks ? {ids: options.hooks} : {}),
    dryRun: false,
    mappings: state.mappings,
    from: {host: hosts.source, user: state.source.user, stateDir: state.source.stateDir, ...(options.profile ? {profile: options.profile} : {})},
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
export function statusWithHooks<S extends string>(status: S | 'ok', hooks: HookRunResult | undefined): S | 'ok' | 'partial' | 'failed' {
  if (!hooks || status !== 'ok') return status
  return hooks.status === 'failed' ? 'failed' : hooks.status === 'partial' ? 'partial' : status
}

/** The keys of what a migration's next step asks for; none for a step that no hook settles. */
function nextStepKeys(step: string): readonly NextStepKey[] {
  return Object.values(KEYED_NEXT_STEPS).find((k) => step.startsWith(k.opens))?.keys ?? []
}

/** What a hook that ran settles: its report says (a report journaled before `settles` existed: the built-in's definition). */
function settledBy(report: HookReport): readonly NextStepKey[] {
  return report.settles ?? BUILTIN_HOOKS.find((h) => h.id === report.id)?.settles ?? []
}

/** Next steps after the hooks ran: what they did not settle, then the exact steps they leave to a human. */
export function nextStepsWithHooks(steps: readonly string[], hooks: HookRunResult): string[] {
  const settled = new Set(hooks.hooks.filter((h) => h.status === 'changed' || h.status === 'unchanged').flatMap(settledBy))
  const kept = steps.filter((s) => {
    const keys = nextStepKeys(s)
    return keys.length === 0 || !keys.every((k) => settled.has(k))
  })
  const failed = hooks.hooks.filter((h) => h.status === 'failed').map((h) => `[${h.id}] failed: ${h.error?.message ?? ''}${h.error?.hint ? ` — ${h.error.hint}` : ''}`)
  return [...kept, ...failed, ...hooks.hooks.flatMap((h) => h.actions.map((a) => `[${h.id}] ${a}`))]
}
