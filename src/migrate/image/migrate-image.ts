import {posix} from 'node:path'

import type {Context} from '../../context.js'
import type {ImageDriver, RegistryCredentials, RegistryTransport} from '../../drivers/api.js'
import {AbortedError, OcvmError, UsageError} from '../../errors.js'
import {formatHostSpec, parseHostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {describeHookRun, nextStepsWithHooks, statusWithHooks, type MigrationHookInputs} from '../../postmigrate/after-migrate.js'
import type {SecretValues} from '../../postmigrate/secrets-input.js'
import {sendFiles, verifyFiles} from '../../transfer/files.js'
import {Journal, newRunId} from '../journal.js'
import {migrate as migrateState} from '../migrate.js'
import {imagePreflight} from './preflight.js'
import {runGuestHooks, type GuestHooksEnv} from './guest-hooks.js'
import {removeExportScratch} from './scratch.js'
import {commitStep, IMAGE_STEP_DESCRIPTIONS} from './steps.js'
import {vmState} from './vm-state.js'
import type {ImageMigrateOptions, ImageMigrationResult, ImageMigrationState, ImageStepName, ImageStepRecord} from './types.js'

export interface ImageMigrateHooks extends Pick<MigrationHookInputs, 'secrets' | 'extraHooks'> {
  /** Asked once the plan is known, before anything changes. */
  confirm?: (plan: ImageMigrationResult) => Promise<boolean>
}

/**
 * Moves a VM between hosts with an image-level driver: the explicit step list of its mode (image,
 * live or state), journaled so `--resume` continues after a crash. Before the commit step a failure
 * leaves the source VM as it was (stopped, restartable with --rollback) and only staging on the target.
 */
export async function migrateImage(requested: ImageMigrateOptions, driver: ImageDriver, ctx: Context, hooks: ImageMigrateHooks = {}): Promise<ImageMigrationResult> {
  let journal: Journal<ImageMigrationState>
  if (requested.resume) {
    journal = Journal.open<ImageMigrationState>(requested.resume)
    if (journal.data.kind !== 'image') throw new UsageError(`run ${requested.resume} is not a VM migration`, `Resume it with ocvm migrate --resume ${requested.resume} (without --driver).`)
    if (journal.data.status === 'completed') {
      ctx.reporter.step(`Run ${requested.resume} already completed; nothing to do`)
      return toImageResult(journal.data, ['Nothing changed: the run had already completed.'])
    }
    ctx.reporter.step(`Resuming run ${requested.resume}`)
  } else {
    const runId = newRunId()
    const state = await imagePreflight(requested, driver, runId, ctx)
    const plan = toImageResult(state, [])
    if (requested.dryRun) return {...plan, status: 'planned', dryRun: true, nextSteps: ['Nothing was changed. Run the same command without --dry-run to migrate.']}
    if (hooks.confirm && !(await hooks.confirm(plan))) throw new AbortedError('migration')
    journal = Journal.create(runId, {...state, steps: state.steps.map((s) => initialStep(s, requested))})
    ctx.reporter.step(`Run ${runId} (journal: ${journal.dir})`)
  }

  const {options} = journal.data
  const sourceHost = parseHostSpec(options.from)
  const targetHost = parseHostSpec(options.to)
  const source = ctx.shells.get(sourceHost)
  const target = ctx.shells.get(targetHost)
  const name = journal.data.target.name
  const inputs = {...(hooks.secrets ? {secrets: hooks.secrets} : {}), ...(hooks.extraHooks ? {extraHooks: hooks.extraHooks} : {})}
  const actions = stepActions({journal, driver, ctx, source, target, sourceHost, targetHost, name, inputs})

  for (const step of journal.data.steps.map((s) => s.name)) {
    const record = journal.data.steps.find((s) => s.name === step)
    if (!record || record.status === 'done' || record.status === 'skipped') continue
    setStep(journal, step, {status: 'running', startedAt: new Date().toISOString()})
    ctx.reporter.step(`${step}: ${IMAGE_STEP_DESCRIPTIONS[step]}`)
    try {
      const detail = await actions[step]()
      setStep(journal, step, {status: 'done', finishedAt: new Date().toISOString(), ...(detail ? {detail} : {})})
      if (step === commitStep(journal.data.mode, journal.data.target.kind, journal.data.registry ? 'registry' : 'files')) journal.update({committed: true})
    } catch (error) {
      await onFailure(error, step, journal, target)
      throw error
    }
  }
  journal.update({status: 'completed'})
  return toImageResult(journal.data, nextSteps(journal.data))
}

interface StepEnv {
  journal: Journal<ImageMigrationState>
  driver: ImageDriver
  ctx: Context
  source: Shell
  target: Shell
  sourceHost: ReturnType<typeof parseHostSpec>
  targetHost: ReturnType<typeof parseHostSpec>
  name: string
  inputs: GuestHooksEnv['inputs']
}

type Actions = Record<ImageStepName, () => Promise<string | void>>

function stepActions(env: StepEnv): Actions {
  const {journal, driver, ctx, source, target, sourceHost, targetHost, name, inputs} = env
  const {options} = journal.data
  const vm = options.vm
  return {
    preflight: async () => {},
    stop: async () => {
      if ((await vmState(driver, sourceHost, vm, ctx)) === 'stopped') return journal.data.source.wasRunning ? 'already stopped' : 'was not running'
      journal.update({stopRequestedAt: new Date().toISOString()})
      await driver.stop(sourceHost, vm, ctx, {timeoutMs: options.stopTimeoutSec * 1000, force: options.forceStop})
      const after = await vmState(driver, sourceHost, vm, ctx)
      if (after !== 'stopped') throw new OcvmError('stop-failed', `${vm} is still ${after} on ${source.label}`, {hint: 'Shut the guest down from inside, or pass --force-stop to power it off after the timeout.'})
      return `${vm} shut down`
    },
    export: async () => {
      const exportSet = await driver.exportVm(sourceHost, vm, ctx)
      journal.update({exportSet})
      return `${exportSet.files.length} file(s): ${exportSet.files.map((f) => f.relPath).join(', ')}`
    },
    transfer: async () => {
      const exportSet = required(journal.data.exportSet, 'export')
      const started = Date.now()
      const sent = await sendFiles({
        source, target, files: exportSet.files, stagingDir: journal.data.target.stagingDir, compress: true,
        ...(journal.data.facts ? {facts: journal.data.facts} : {}), reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {}),
        // onFailure removes staging and adds how to resume or go back.
        diskFullHint: `Nothing was defined on ${target.label} and the staging dir is removed; the source VM's disks are untouched (a VM that was running stays shut down until --rollback). Make room on ${target.label}, or go back and run again with --staging-dir on a bigger filesystem.`,
        // Recorded per file, so a resume after a crash does not send again what had arrived.
        onSent: (fact) => journal.update({facts: [...(journal.data.facts ?? []).filter((f) => f.relPath !== fact.relPath), fact]}),
      })
      journal.update({facts: sent.facts, transfer: {bytes: sent.bytes, allocated: sent.allocated, wireBytes: sent.wireBytes, seconds: (Date.now() - started) / 1000, resumedFiles: sent.resumedFiles}})
      return `${sent.bytes} bytes apparent, ${sent.allocated} allocated, ${sent.wireBytes} on the wire${sent.resumedFiles ? `, ${sent.resumedFiles} file(s) already there` : ''}`
    },
    verify: async () => {
      const facts = required(journal.data.facts, 'transfer')
      const files = required(journal.data.exportSet, 'export').files
      try {
        await verifyFiles({target, stagingDir: journal.data.target.stagingDir, facts, origin: {shell: source, files}, ...(ctx.signal ? {signal: ctx.signal} : {})})
      } catch (error) {
        // A damaged file must be sent again: --resume re-runs the transfer (intact files stay).
        if (error instanceof OcvmError && error.code === 'verify-failed') setStep(journal, 'transfer', {status: 'pending'})
        throw error
      }
      await removeExportScratch(source, journal.data.exportSet)
      return `${facts.length} file(s) verified (SHA-256)`
    },
    import: async () => {
      const exportSet = required(journal.data.exportSet, 'export')
      // Killed after the VM was defined and recorded: only the staging dir is left to remove.
      const imported = journal.data.imported ?? await driver.importVm(targetHost, {exportSet, stagingDir: journal.data.target.stagingDir, targetName: name, options: options.driverOptions, dryRun: false}, ctx)
      journal.update({imported})
      await target.exec(['rm', '-rf', '--', journal.data.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
      return `${imported.name} defined on ${target.label}`
    },
    push: async () => {
      const {transport, ref} = viaRegistry(driver, journal.data)
      await transport.push(sourceHost, vm, ref, ctx, registryCredentials(inputs.secrets))
      return `${vm} pushed to ${ref}`
    },
    pull: async () => {
      const {transport, ref} = viaRegistry(driver, journal.data)
      const credentials = registryCredentials(inputs.secrets)
      const imported = await transport.pull(targetHost, ref, name, ctx, {options: options.driverOptions, ...(credentials ? {credentials} : {})})
      journal.update({imported})
      return `${imported.name} pulled from ${ref} onto ${target.label}`
    },
    start: async () => {
      await driver.start(targetHost, name, ctx)
      return `${name} started`
    },
    live: async () => {
      const live = driver.liveMigrate
      if (!live) throw new UsageError(`the ${driver.name} driver cannot live-migrate`, 'Leave out --live.')
      const imported = await live.call(driver, sourceHost, targetHost, vm, ctx, {targetName: name, options: options.driverOptions, dryRun: false})
      journal.update({imported})
      return `${imported.name} runs on ${target.label}`
    },
    provision: async () => {
      const provision = driver.provisionLike
      if (!provision) throw new UsageError(`the ${driver.name} driver cannot create a VM on the target`, 'Use --mode image.')
      const imported = await provision.call(driver, targetHost, journal.data.source.vm, name, ctx, false)
      journal.update({imported})
      return `${imported.name} created on ${target.label}`
    },
    state: async () => {
      // The state is read from inside the source guest, so it must run (its gateway is stopped by the file driver).
      if ((await vmState(driver, sourceHost, vm, ctx)) === 'stopped') {
        await driver.start(sourceHost, vm, ctx)
        journal.update({startedSource: true})
      }
      const from = await driver.guestShell(sourceHost, vm, ctx)
      const to = journal.data.target.kind === 'vm' ? await driver.guestShell(targetHost, name, ctx) : target
      for (const shell of [from, to]) if (shell.host.kind === 'guest') ctx.shells.register(shell)
      const state = options.state ?? {}
      const run = await migrateState({
        driver: 'file', from: formatHostSpec(from.host), to: formatHostSpec(to.host), sessions: state.sessions ?? 'include', dryRun: false, force: false,
        // The hooks are this run's own next step (journaled here, run where the state landed).
        skipHooks: true,
        ...withoutUndefined({user: state.user, targetUser: state.targetUser, targetHome: state.targetHome, stateDir: state.stateDir, targetStateDir: state.targetStateDir, profile: state.profile}),
        ...(journal.data.stateRun ? {resume: journal.data.stateRun} : {}),
      }, ctx)
      journal.update({stateRun: run.runId})
      return `OpenClaw state moved from inside ${vm} to ${to.label} by run ${run.runId}`
    },
    guest: async () => {
      const shell = await driver.guestShell(targetHost, name, ctx)
      const uname = await shell.exec(['uname', '-sm'], {timeoutMs: 60_000})
      journal.update({guest: {label: shell.label, system: uname.stdout.trim()}})
      return `inside the guest at ${shell.label}: ${uname.stdout.trim()}`
    },
    hooks: async () => {
      const outcome = await runGuestHooks({state: journal.data, driver, sourceHost, targetHost, target, inputs}, ctx)
      if ('notFound' in outcome) {
        journal.update({warnings: [...(journal.data.warnings ?? []), outcome.notFound]})
        return 'no OpenClaw deployment in the guest: nothing to set up'
      }
      journal.update({hooks: outcome.run})
      return `${describeHookRun(outcome.run)} on ${outcome.run.host}`
    },
    report: async () => {},
  }
}

function viaRegistry(driver: ImageDriver, state: ImageMigrationState): {transport: RegistryTransport; ref: string} {
  const transport = driver.registryTransport
  if (!transport || !state.registry) throw new OcvmError('journal-incomplete', 'this run has no registry to move the VM through', {hint: 'The run journal is damaged: start a new migration.'})
  return {transport, ref: state.registry}
}

/**
 * Registry credentials from the secrets input (GITHUB_USERNAME/GITHUB_TOKEN, or GHCR_*), as lume
 * reads them; without them the tool uses what its own host's environment has.
 */
function registryCredentials(secrets: SecretValues | undefined): RegistryCredentials | undefined {
  for (const prefix of ['GITHUB', 'GHCR']) {
    const username = secrets?.get(`${prefix}_USERNAME`)
    const token = secrets?.get(`${prefix}_TOKEN`)
    if (username && token) return {username, token}
  }
  return undefined
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

function required<T>(value: T | undefined, step: string): T {
  if (value === undefined) throw new OcvmError('journal-incomplete', `the journal has no record of the ${step} step`, {hint: 'The run journal is damaged: start a new migration.'})
  return value
}

function setStep(journal: Journal<ImageMigrationState>, name: ImageStepName, patch: Partial<ImageStepRecord>): void {
  journal.update({steps: journal.data.steps.map((s) => (s.name === name ? {...s, ...patch} : s))})
}

async function onFailure(error: unknown, step: ImageStepName, journal: Journal<ImageMigrationState>, target: Shell): Promise<void> {
  const e = error instanceof OcvmError ? error : undefined
  setStep(journal, step, {status: 'failed', finishedAt: new Date().toISOString(), detail: e?.message ?? String(error)})
  journal.update({status: 'failed', error: {code: e?.code ?? 'error', message: e?.message ?? String(error)}})
  // A full disk cannot be resumed into: clean staging so the target is left as it was.
  if (!journal.data.committed && e && /No space left|disk-full/.test(`${e.message} ${e.code}`)) {
    await target.exec(['rm', '-rf', '--', journal.data.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
  }
  if (e) {
    ;(e as {hint: string | undefined}).hint = `${e.hint ?? ''} Continue with \`ocvm migrate --resume ${journal.runId}\`, or go back with \`ocvm migrate --rollback ${journal.runId}\`.`.trim()
    e.details.runId = journal.runId
  }
}

export function toImageResult(state: ImageMigrationState, next: string[]): ImageMigrationResult {
  const status = state.status === 'completed' ? 'ok' : state.status === 'rolled-back' ? 'rolled-back' : state.status === 'failed' ? 'failed' : 'planned'
  return {
    kind: 'image',
    runId: state.runId,
    status: status === 'rolled-back' ? status : statusWithHooks(status, state.hooks),
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
    nextSteps: state.hooks ? nextStepsWithHooks(next, state.hooks) : next,
    warnings: state.warnings ?? [],
  }
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

/** Default staging dir on the target: beside nothing the user owns, removed after import. */
export function defaultStagingDir(runId: string): string {
  return stagingDirIn('/var/tmp', runId)
}

/** The run's staging dir under `parent` (a driver's choice, where import links rather than copies). */
export function stagingDirIn(parent: string, runId: string): string {
  return posix.join(parent, `ocvm-staging-${runId}`)
}
