import type {Context} from '../context.js'
import {asImageDriver, asStateDriver, type Driver, type DriverHosts} from '../drivers/api.js'
import {UsageError} from '../errors.js'
import {Journal} from '../pipeline/journal.js'
import {journaledHosts, journaledTarget, type RunHosts} from '../pipeline/run-hosts.js'
import {migrateImage, type ImageMigrateCallbacks} from './image/migrate-image.js'
import {rollbackImage} from './image/rollback-image.js'
import type {ImageMigrateOptions, ImageMigrationResult, ImageMigrationState} from './image/types.js'
import {migrationReport} from './report.js'
import {migrateState, type MigrateCallbacks} from './state/migrate-state.js'
import {describeStateRollback, rollbackState} from './state/rollback-state.js'
import type {MigrateOptions, MigrationResult, MigrationState} from './types.js'

/** How a VM moves (drivers that move images); the rest of a request is the same for every driver. */
export type VmMoveOptions = Pick<ImageMigrateOptions, 'vm' | 'targetName' | 'stagingDir' | 'mode' | 'live' | 'forceStop' | 'stopTimeoutSec' | 'driverOptions'>

/** One migration as the command parsed it: the driver, what to move, and how. */
export interface MigrateRequest {
  driver: Driver
  /** The user's options (the driver's name included); for `--resume RUN`, only `resume` counts. */
  options: MigrateOptions
  vm: VmMoveOptions
  /** `options.from` and `.to`, parsed by the command (absent when a journaled run is resumed or undone). */
  hosts?: RunHosts
  /** Undo this run instead of migrating. */
  rollback?: string
}

export type MigrationCallbacks = MigrateCallbacks & ImageMigrateCallbacks & {confirm?: (plan: MigrationResult | ImageMigrationResult) => Promise<boolean>}
export type AnyMigrationResult = MigrationResult | ImageMigrationResult

/**
 * The migration service: every driver goes through here, and the plan is chosen from what the
 * driver declares (a state mover such as `file`, or an image driver), never from its name.
 */
export async function migrate(request: MigrateRequest, ctx: Context, callbacks: MigrationCallbacks = {}): Promise<AnyMigrationResult> {
  const {driver, options} = request
  if (driver.capabilities.level === 'state') {
    if (request.rollback) return rollbackState(request.rollback, ctx)
    const result = await migrateState(options, asStateDriver(driver), ctx, callbacks, request.hosts)
    return result.dryRun ? result : {...result, report: migrationReport(result)}
  }
  const image = asImageDriver(driver, `the ${driver.name} driver cannot migrate yet`)
  if (request.rollback) return rollbackImage(request.rollback, image, ctx)
  return migrateImage(imageOptions(request), image, ctx, callbacks, request.hosts)
}

/** Checks what the driver needs before anything is loaded or asked (hosts, the VM). */
export function checkRequest(request: MigrateRequest): void {
  const {driver, options} = request
  if (request.rollback || options.resume) return
  if (driver.capabilities.level === 'state') {
    if (!options.from || !options.to) throw new UsageError('--from and --to are required', 'Example: ocvm migrate --from root@old-host --user openclaw --to root@new-host --dry-run')
  } else if (!options.from || !options.to || !request.vm.vm) {
    throw new UsageError('--vm, --from and --to are required with a hypervisor driver', `Example: ocvm migrate --driver ${driver.name} --vm openclaw --from root@old-host --to root@new-host --dry-run`)
  }
}

/** What a journaled run needs to be resumed or undone: its driver, bound as it was (options, hosts). */
export function journaledRun(runId: string): {driver: string; driverOptions: Record<string, unknown>; hosts: DriverHosts} {
  const data = Journal.open<MigrationState | ImageMigrationState>(runId).data
  const {options} = data
  const image = 'kind' in data && data.kind === 'image'
  // An import's source is the archive file it read, not a host.
  const hosts = !image && (data as MigrationState).archive ? {target: journaledTarget(options)} : journaledHosts(options)
  return {driver: options.driver, driverOptions: image ? data.options.driverOptions : {}, hosts}
}

/** What `--rollback RUN` will do, for the confirmation (read from its journal; nothing changes). */
export function describeRollback(runId: string): string[] {
  const data = Journal.open<MigrationState | ImageMigrationState>(runId).data
  if (!('kind' in data && data.kind === 'image')) return describeStateRollback(data as MigrationState)
  const lines = [
    ...(data.stateRun ? [`Roll back the state move ${data.stateRun} inside the source guest`] : []),
    ...(data.imported ? [`Stop and remove ${data.imported.name} from ${data.options.to}`] : []),
    `Remove the staging dir ${data.target.stagingDir} on ${data.options.to}`,
  ]
  if (data.source.wasRunning && data.mode !== 'state') lines.push(`Start ${data.source.vm.name} again on ${data.options.from}`)
  return lines
}

function imageOptions({driver, options, vm}: MigrateRequest): ImageMigrateOptions {
  return {
    ...vm,
    driver: driver.name,
    from: options.from,
    to: options.to,
    dryRun: options.dryRun,
    ...(options.resume ? {resume: options.resume} : {}),
    ...(options.hooks ? {hooks: options.hooks} : {}),
    ...(options.skipHooks ? {skipHooks: true} : {}),
    // Used when only the OpenClaw state moves (state mode): the deployment inside the guest.
    state: {
      sessions: options.sessions,
      ...(options.user ? {user: options.user} : {}),
      ...(options.targetUser ? {targetUser: options.targetUser} : {}),
      ...(options.targetHome ? {targetHome: options.targetHome} : {}),
      ...(options.targetStateDir ? {targetStateDir: options.targetStateDir} : {}),
      ...(options.stateDir ? {stateDir: options.stateDir} : {}),
      ...(options.profile ? {profile: options.profile} : {}),
    },
  }
}
