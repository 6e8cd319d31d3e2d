import type {Context} from '../../context.js'
import type {ImageDriver} from '../../drivers/api.js'
import {AbortedError, UsageError} from '../../errors.js'
import {nextStepsWithHooks, statusWithHooks, type MigrationHookInputs} from '../after-migrate.js'
import {Journal, newRunId, runOwner} from '../../pipeline/journal.js'
import {journaledHosts, type RunHosts} from '../../pipeline/run-hosts.js'
import {runPlan, type StepAction} from '../../pipeline/runner.js'
import type {ImageStepEnv} from './steps/env.js'
import {exportStep} from './steps/export.js'
import {guestStep} from './steps/guest.js'
import {hooksStep} from './steps/hooks.js'
import {importStep} from './steps/import.js'
import {liveStep} from './steps/live.js'
import {provisionStep} from './steps/provision.js'
import {pullStep, pushStep} from './steps/registry.js'
import {startStep} from './steps/start.js'
import {stateStep} from './steps/state.js'
import {stopStep} from './steps/stop.js'
import {transferStep} from './steps/transfer.js'
import {verifyStep} from './steps/verify.js'
import {imagePreflight} from './preflight.js'
import {commitStep, IMAGE_STEP_DESCRIPTIONS} from '../../pipeline/image-steps.js'
import type {ImageMigrateOptions, ImageMigrationResult, ImageMigrationState, ImageStepName, ImageStepRecord} from './types.js'

export interface ImageMigrateCallbacks extends Pick<MigrationHookInputs, 'secrets' | 'extraHooks'> {
  /** Asked once the plan is known, before anything changes. */
  confirm?: (plan: ImageMigrationResult) => Promise<boolean>
}

/**
 * Moves a VM between hosts with an image-level driver: the explicit step list of its mode (image,
 * live or state), journaled so `--resume` continues after a crash. Before the commit step a failure
 * leaves the source VM as it was (stopped, restartable with --rollback) and only staging on the target.
 */
export async function migrateImage(requested: ImageMigrateOptions, driver: ImageDriver, ctx: Context, callbacks: ImageMigrateCallbacks = {}, given?: RunHosts): Promise<ImageMigrationResult> {
  let journal: Journal<ImageMigrationState>
  if (requested.resume) {
    journal = Journal.open<ImageMigrationState>(requested.resume)
    if (journal.data.kind !== 'image') throw new UsageError(`run ${requested.resume} is not a VM migration`, `Resume it with ocvm migrate --resume ${requested.resume} (without --driver).`)
    if (journal.data.status === 'completed') {
      ctx.reporter.step(`Run ${requested.resume} already completed; nothing to do`)
      return toImageResult(journal.data, ['Nothing changed: the run had already completed.'])
    }
    ctx.reporter.step(`Resuming run ${requested.resume}`)
    journal.update({status: 'running', owner: runOwner()})
  } else {
    const runId = newRunId()
    const state = await imagePreflight(requested, driver, runId, ctx, given ?? journaledHosts(requested))
    const plan = toImageResult(state, [])
    if (requested.dryRun) return {...plan, status: 'planned', dryRun: true, nextSteps: ['Nothing was changed. Run the same command without --dry-run to migrate.']}
    if (callbacks.confirm && !(await callbacks.confirm(plan))) throw new AbortedError('migration')
    journal = Journal.create(runId, {...state, owner: runOwner(), steps: state.steps.map((s) => initialStep(s, requested))})
    ctx.reporter.step(`Run ${runId} (journal: ${journal.dir})`)
  }

  const {options} = journal.data
  // As the command parsed them; a resumed run's come from its journal, parsed once now.
  const {source: sourceHost, target: targetHost} = requested.resume || !given ? journaledHosts(options) : given
  const source = ctx.shells.get(sourceHost)
  const target = ctx.shells.get(targetHost)
  const name = journal.data.target.name
  const inputs = {...(callbacks.secrets ? {secrets: callbacks.secrets} : {}), ...(callbacks.extraHooks ? {extraHooks: callbacks.extraHooks} : {})}
  const actions = stepActions({journal, driver, ctx, source, target, sourceHost, targetHost, name, inputs})

  const {mode, target: {kind}} = journal.data
  await runPlan(journal, {
    actions,
    describe: (step) => IMAGE_STEP_DESCRIPTIONS[step],
    commitPoint: commitStep(mode, kind, journal.data.registry ? 'registry' : 'files'),
    repairedBy: 'transfer',
    // A full disk cannot be resumed into: staging is removed so the target is left as it was.
    removeStaging: async () => { await target.exec(['rm', '-rf', '--', journal.data.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000}) },
    hint: `Continue with \`ocvm migrate --resume ${journal.runId}\`, or go back with \`ocvm migrate --rollback ${journal.runId}\`.`,
    ...(ctx.signal ? {signal: ctx.signal} : {}),
  }, ctx.reporter)
  journal.update({status: 'completed'})
  return toImageResult(journal.data, nextSteps(journal.data))
}

type Actions = Record<ImageStepName, StepAction>

function stepActions(env: ImageStepEnv): Actions {
  const nothing = async () => {}
  return {
    preflight: nothing, stop: stopStep(env), export: exportStep(env), transfer: transferStep(env), verify: verifyStep(env), import: importStep(env),
    push: pushStep(env), pull: pullStep(env), start: startStep(env), live: liveStep(env), provision: provisionStep(env), state: stateStep(env),
    guest: guestStep(env), hooks: hooksStep(env), report: nothing,
  }
}

export function toImageResult(state: ImageMigrationState, next: string[]): ImageMigrationResult {
  const status = state.status === 'completed' ? 'ok' : state.status === 'rolled-back' ? 'rolled-back' : state.status === 'failed' ? 'failed' : 'planned'
  return {
    kind: 'image',
    runId: state.runId,
    status: status === 'rolled-back' ? status : status === 'ok' && state.unreachableGuest ? 'partial' : statusWithHooks(status, state.hooks),
    dryRun: false,
    driver: state.options.driver,
    mode: state.mode,
    modeReason: state.modeReason,
    source: state.source,
    target: state.target,
    steps: state.steps,
    ...(state.transfer ? {transfer: state.transfer} : {}),
    ...(state.imported ? {imported: state.imported} : {}),
    ...(state.guest ? {guest: state.guest} : {}),
    ...(state.hooks ? {hooks: state.hooks} : {}),
    nextSteps: state.unreachableGuest ? [unreachableStep(state), ...next] : state.hooks ? nextStepsWithHooks(next, state.hooks) : next,
    warnings: state.warnings ?? [],
  }
}

function unreachableStep(state: ImageMigrationState): string {
  const why = state.unreachableGuest
  return `${state.target.name} moved and runs on ${state.options.to}, but ocvm could not get into it, so the post-migrate hooks did not run: ${why?.message}.${why?.hint ? ` ${why.hint}` : ''} Then run them inside it: ocvm hooks run --on <the guest's ssh address> --user <the service user>`
}

function nextSteps(state: ImageMigrationState): string[] {
  const steps = [`Check the result: ocvm verify --on ${state.guest?.label ?? state.options.to}`]
  if (state.mode === 'image') steps.push(`The source VM ${state.source.vm.name} is kept, stopped, on ${state.source.host}; delete it yourself once the target is verified.`)
  if (state.mode === 'state') steps.push(`The source VM ${state.source.vm.name} is kept on ${state.source.host} with its gateway stopped; delete it yourself once the target is verified.`)
  steps.push(`To go back: ocvm migrate --rollback ${state.runId}`)
  return steps
}

function initialStep(step: ImageStepRecord, options: ImageMigrateOptions): ImageStepRecord {
  if (step.name === 'preflight') return {...step, status: 'done'}
  if (step.name === 'hooks' && options.skipHooks) return {...step, status: 'skipped', detail: '--skip-hooks: run them later with ocvm hooks run --on <the guest or target>'}
  return step
}
