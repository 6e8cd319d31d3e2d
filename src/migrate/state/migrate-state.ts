import type {Context} from '../../context.js'
import type {StateDriver} from '../../drivers/api.js'
import {inspectDeployment} from '../../deployment/inspect.js'
import {existingPaths} from '../../hosts/remote-fs.js'
import {AbortedError, OcvmError, UsageError} from '../../errors.js'
import {settledInOrder} from '../../hosts/in-order.js'
import {waitForHealth} from '../../deployment/health.js'
import type {Shell} from '../../hosts/shell.js'
import {describeHookRun, nextStepsWithHooks, runMigrationHooks, statusWithHooks} from '../after-migrate.js'
import type {Hook} from '../../postmigrate/api.js'
import type {SecretValues} from '../../postmigrate/secrets-input.js'
import {Journal, listJournals, newRunId, runOwner} from '../../pipeline/journal.js'
import {preflight} from '../preflight.js'
import {sourceSinceRun} from '../source-since.js'
import {danglingOnTarget, nextSteps, toResult} from '../result.js'
import {journaledHosts, type RunHosts} from '../../pipeline/run-hosts.js'
import {runPlan} from '../../pipeline/runner.js'
import {statePlan} from './plan.js'
import {confirmSourceDown} from './steps/quiesce.js'
import {validateMigrateOptions} from '../validate-options.js'
import type {MigrateOptions, MigrationResult, MigrationState, StepRecord} from '../types.js'


export interface MigrateCallbacks {
  /** Asked once the plan is known, before anything changes (the command prompts, or --yes). */
  confirm?: (plan: MigrationResult) => Promise<boolean>
  /** Secret values for ocvm/secrets (never journaled). */
  secrets?: SecretValues
  /** Post-migrate hooks registered by plugins (run after the built-ins). */
  extraHooks?: readonly Hook[]
}

/**
 * Moves the OpenClaw state between two hosts (or guests) as one journaled plan, through the shells
 * the state-level `driver` gives for the two ends. `given` are
 * `requested.from`/`.to` as the caller parsed them (a nested run inside a VM move: the guests'
 * shells); a resumed run parses its journal's text once, here, when it is loaded.
 */
export async function migrateState(requested: MigrateOptions, driver: StateDriver, ctx: Context, callbacks: MigrateCallbacks = {}, given?: RunHosts): Promise<MigrationResult> {
  // A resumed run continues with the options it was started with (hosts, users, dirs).
  const resumed = requested.resume ? Journal.open<MigrationState>(requested.resume).data : undefined
  if (resumed?.archive) throw new UsageError(`run ${requested.resume} is an import of ${resumed.archive.file}; imports do not resume`, 'A failed import leaves the target as it was: run `ocvm import` again.')
  const options: MigrateOptions = resumed ? {...resumed.options, resume: requested.resume} : requested
  if (!resumed) validateMigrateOptions(options)
  const hosts = resumed || !given ? journaledHosts(options) : given
  const [source, target] = await Promise.all([driver.stateShell(hosts.source, ctx), driver.stateShell(hosts.target, ctx)])
  if (source.label === target.label && !options.targetStateDir) {
    throw new UsageError('--from and --to are the same host', 'Give a different --to, or --target-state-dir to copy into another directory on the same host.')
  }

  const alreadyDone = options.resume || options.dryRun || options.force ? undefined : await completedRunFor(options, source, target, ctx)
  if (alreadyDone) {
    const {journal: done, since} = alreadyDone
    if (since && since.changed > 0) {
      throw new OcvmError('source-changed', `the source changed since run ${done.runId} migrated it to ${options.to}: ${since.changed} of ${since.entries} entries differ (size, mode or mtime)`, {
        hint: 'Run again with --force to migrate the changes: only files that differ are sent, and the copy now on the target is kept aside (renamed to *.ocvm-old-<run>).',
      })
    }
    ctx.reporter.step(`Run ${done.runId} already migrated this deployment to ${options.to}; nothing to do`)
    const checked = since ? `the source still matches what it moved (${since.entries} entries compared by size, mode and mtime) and its copy is in place on the target` : 'its copy is in place on the target'
    return toResult(done.data, {diffs: [], warnings: [], nextSteps: [`Nothing changed: run ${done.runId} already completed this migration; ${checked}. Use --force to migrate again over it.`]})
  }

  let journal: Journal<MigrationState>
  if (options.resume) {
    journal = Journal.open<MigrationState>(options.resume)
    if (journal.data.status === 'completed') {
      ctx.reporter.step(`Run ${options.resume} already completed; nothing to do`)
      return toResult(journal.data, {diffs: [], warnings: [], nextSteps: ['Nothing changed: the run had already completed.']})
    }
    ctx.reporter.step(`Resuming run ${options.resume}`)
    journal.update({status: 'running', owner: runOwner()})
  } else {
    const runId = newRunId()
    const {state, warnings, preview, payload, findings} = await preflight(options, runId, source, target, ctx)
    const plan = {...toResult(state, {diffs: [], warnings, nextSteps: []}), payload, findings}
    plan.diffs = preview.diffs
    plan.changes = preview.changes
    if (options.dryRun) {
      return {...plan, status: 'planned', dryRun: true, nextSteps: ['Nothing was changed. Run the same command without --dry-run to migrate.']}
    }
    if (callbacks.confirm && !(await callbacks.confirm(plan))) throw new AbortedError('migration')
    const initial = (s: StepRecord): StepRecord => {
      if (s.name === 'preflight') return {...s, status: 'done'}
      if (s.name === 'precopy' && !options.precopy) return {...s, status: 'skipped'}
      if (s.name === 'hooks' && options.skipHooks) return {...s, status: 'skipped', detail: `--skip-hooks: run them later with ocvm hooks run --on ${options.to}`}
      return s
    }
    journal = Journal.create(runId, {...state, owner: runOwner(), steps: state.steps.map(initial)})
    ctx.reporter.step(`Run ${runId} (journal: ${journal.dir})`)
  }

  const plan = statePlan({journal, source, target, ctx}, {
    // Journaled like every step: a run killed during the hooks re-runs them on --resume (they are idempotent).
    hooks: async () => {
      // The hooks start the target's gateway: the source's must still be down (nothing restarted it).
      if (!journal.data.archive) await confirmSourceDown(source, journal.data)
      const run = await runMigrationHooks(journal.data, options, hosts, ctx, callbacks)
      journal.update({hooks: run})
      await awaitTargetGateway(journal, target, ctx)
      return describeHookRun(run)
    },
  }, {hint: `Continue with \`ocvm migrate --resume ${journal.runId}\`, or go back to the running source with \`ocvm migrate --rollback ${journal.runId}\`.`})
  await runPlan(journal, plan, ctx.reporter)

  const t = journal.data.target
  const targetInventory = await inspectDeployment({host: target.host, user: t.user, home: t.home, stateDir: t.stateDir}, ctx)
  journal.update({status: 'completed'})
  const live = journal.data.liveMissing ? [`the target's gateway was started but does not answer yet: ${journal.data.liveMissing}; check it with \`ocvm verify --on ${options.to}\``] : []
  const result = toResult(journal.data, {diffs: [], warnings: [...danglingOnTarget(targetInventory), ...live], nextSteps: nextSteps(journal.data, targetInventory)})
  const hookRun = journal.data.hooks
  if (!hookRun) return result
  return {...result, status: statusWithHooks(result.status, hookRun), hooks: hookRun, nextSteps: nextStepsWithHooks(result.nextSteps, hookRun)}
}

/** How long a gateway the hooks started has to answer /health before the run says it did not. */
const LIVE_WAIT_MS = 60_000

/**
 * The end of the downtime: the gateway the hooks started answers /health on the target (the moved
 * config keeps its port). Recorded once, so a re-run of the hooks does not move it.
 */
async function awaitTargetGateway(journal: Journal<MigrationState>, target: Shell, ctx: Context): Promise<void> {
  const started = journal.data.hooks?.hooks.some((h) => h.id === 'ocvm/services' && (h.status === 'changed' || h.status === 'unchanged'))
  if (!started || journal.data.liveAt) return
  const port = journal.data.source.port ?? 18_789
  ctx.reporter.step(`Waiting for the target gateway's /health on ${target.label} (port ${port})`)
  const health = await waitForHealth(target, port, LIVE_WAIT_MS)
  journal.update(health.ok ? {liveAt: new Date().toISOString()} : {liveMissing: `no answer from /health on port ${port} within ${LIVE_WAIT_MS / 1000} s${health.last ? ` (it said: ${health.last.slice(0, 120)})` : ''}`})
}

/**
 * The same migration (same hosts, users and dirs) already completed and its copy is still in place
 * on the target; `since` is how the source compares with what that run moved (a re-run only has
 * something to do when the source changed).
 */
async function completedRunFor(options: MigrateOptions, source: Shell, target: Shell, ctx: Context) {
  const same = (o: MigrateOptions) => o.from === options.from && o.to === options.to && o.user === options.user && o.targetUser === options.targetUser
    && o.stateDir === options.stateDir && o.targetStateDir === options.targetStateDir && o.targetHome === options.targetHome && o.profile === options.profile
  // The latest such run (run ids only have whole seconds: two runs may share one).
  const done = listJournals<MigrationState>()
    .filter((j) => j.data.status === 'completed' && (j.data as {kind?: string}).kind !== 'image' && j.data.options && same(j.data.options))
    .sort((a, b) => (a.data.createdAt < b.data.createdAt ? 1 : a.data.createdAt > b.data.createdAt ? -1 : 0))[0]
  if (!done) return undefined
  const journal = Journal.open<MigrationState>(done.runId)
  const [present, since] = await settledInOrder([
    existingPaths(target, done.data.roots.map((r) => r.target)),
    sourceSinceRun(source, done.data, journal.dir, ctx.signal),
  ] as const)
  return done.data.roots.every((r) => present.has(r.target)) ? {journal, since} : undefined
}
