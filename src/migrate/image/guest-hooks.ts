import type {Context} from '../../context.js'
import type {ImageDriver} from '../../drivers/api.js'
import {DeploymentNotFoundError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {runMigrationHooks, type MigrationHookInputs} from '../after-migrate.js'
import type {HookRunResult} from '../../postmigrate/engine.js'
import {runHooksOn} from '../../postmigrate/session.js'
import {Journal} from '../../pipeline/journal.js'
import type {MigrationState} from '../types.js'
import type {ImageMigrationState} from './types.js'

export interface GuestHooksEnv {
  state: ImageMigrationState
  driver: ImageDriver
  sourceHost: HostSpec
  targetHost: HostSpec
  /** The bare target host (state moved onto it). */
  target: Shell
  inputs: Pick<MigrationHookInputs, 'secrets' | 'extraHooks'>
}

export type GuestHooksOutcome = {run: HookRunResult} | {notFound: string}

/**
 * The hooks step of a VM run: where the gateway now runs — inside the target guest (reached
 * through the driver's GuestShell), or on the bare host the state moved to.
 * A state move hands the hooks its nested file run (users, dirs, path map, the source guest to read
 * schedules and secret names from). An image move changed nothing inside the guest, so the hooks
 * find the deployment there themselves; a guest without one is reported, not a failure.
 */
export async function runGuestHooks(env: GuestHooksEnv, ctx: Context): Promise<GuestHooksOutcome> {
  const {state, driver} = env
  const where = state.target.kind === 'vm' ? 'guest' : 'host'
  const shell = where === 'guest' ? await driver.guestShell(env.targetHost, state.target.name, ctx) : env.target
  if (shell.host.kind === 'guest') ctx.shells.register(shell)
  const on = shell.host
  const ids = state.options.hooks

  if (state.stateRun) {
    const moved = Journal.open<MigrationState>(state.stateRun).data
    const from = await driver.guestShell(env.sourceHost, state.source.vm.name, ctx)
    if (from.host.kind === 'guest') ctx.shells.register(from)
    const options = {...moved.options, ...(ids ? {hooks: ids} : {})}
    return {run: await runMigrationHooks(moved, options, {source: from.host, target: on}, ctx, {...env.inputs, where, driver: driver.name})}
  }

  const st = state.options.state ?? {}
  try {
    const run = await runHooksOn({
      on, where, driver: driver.name, dryRun: false,
      ...(st.user ? {user: st.user} : {}), ...(st.stateDir ? {stateDir: st.stateDir} : {}), ...(st.profile ? {profile: st.profile} : {}),
      ...(ids ? {ids} : {}),
      ...(env.inputs.secrets ? {secrets: env.inputs.secrets} : {}),
      ...(env.inputs.extraHooks ? {extraHooks: env.inputs.extraHooks} : {}),
    }, ctx)
    return {run}
  } catch (error) {
    if (!(error instanceof DeploymentNotFoundError)) throw error
    return {notFound: `no OpenClaw deployment found inside the guest at ${shell.label} (looked in ${error.tried.join(', ')}), so no post-migrate hook ran; if the gateway runs as another user: ocvm hooks run --on ${shell.label} --user USER`}
  }
}
