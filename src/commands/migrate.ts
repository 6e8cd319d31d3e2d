import {Flags, type Interfaces} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {changeFlags, deploymentFlags, sessionsFlag, targetAccountFlags} from '../flags/deployment.js'
import {vmDriverOptFlag, vmDriverOptions, vmExportFlags, vmSourceFlags, vmStopFlags, vmTargetFlags} from '../flags/vm.js'
import {AbortedError, UsageError} from '../errors.js'
import {checkRequest, describeRollback, journaledRun, migrate, type AnyMigrationResult, type MigrateRequest, type MigrationCallbacks, type VmMoveOptions} from '../migrate/migrate.js'
import type {MigrateOptions, SessionsMode} from '../migrate/types.js'
import {selectHooks} from '../postmigrate/catalog.js'
import {secretsFlags, secretsFromFlags} from '../postmigrate/secrets-flags.js'
import {renderHookRun} from '../views/hooks-view.js'
import {renderMigrationOutcome, renderMigrationPlan} from '../views/migration-view.js'

export default class Migrate extends BaseCommand {
  static summary = 'Move an OpenClaw deployment to another host, verified, resumable, with the old one kept intact.'

  static description = `With --driver file (bare hosts, the default) ocvm stops the source gateway, streams the state dir and any workspaces outside it into a 0700 staging dir on the target (tar|zstd over ssh, per-file SHA-256), verifies every file, rewrites old home/state paths in openclaw.json, its $include files (comments kept) and sessions.json, then moves the result into place atomically and applies the guide's permission set.

The source is never modified: its gateway is stopped and can be started again with --rollback. Every run is journaled; --resume RUN continues an interrupted run without sending again what already arrived. --precopy stages the state while the gateway still runs and sends only what changed after the stop, so downtime is the delta. Service files and secrets are never copied: they are recreated on the target.

With a hypervisor driver (--driver libvirt|lume|parallels|multipass and --vm NAME) ocvm moves the VM: it shuts the VM down gracefully, streams its disks sparse-aware (a 40 GiB disk holding 2 GiB sends about 2 GiB) with SHA-256 on both ends into a staging dir on the target, verifies, registers the VM there (never over an existing one), starts it, reaches the guest and runs the post-migrate hooks inside it (through ssh or the hypervisor's own exec). Where an image cannot move — the hypervisor has no export (Multipass), or the image cannot boot on the target's CPU architecture — ocvm says so in the plan and moves the OpenClaw state into a fresh VM (or onto the target host itself when it has no hypervisor) instead (state mode), then runs the hooks there; --mode forces one or the other. --live asks the hypervisor to move the running VM (libvirt).`

  static examples = [
    {description: 'See the plan and every path rewrite, change nothing', command: '<%= config.bin %> <%= command.id %> --from root@old --user openclaw --to root@new --dry-run'},
    {description: 'Migrate alice\'s gateway on a Mac to user openclaw on a Linux server', command: '<%= config.bin %> <%= command.id %> --from admin@mac.local --user alice --to root@server --target-user openclaw --yes'},
    {description: 'Short downtime: copy while the gateway runs, then stop it and send only the changes', command: '<%= config.bin %> <%= command.id %> --from root@old --user openclaw --to root@new --precopy --yes'},
    {description: 'Continue an interrupted run', command: '<%= config.bin %> <%= command.id %> --resume 20261124T101500Z-a1b2c3'},
    {description: 'Go back: restart the source gateway, take the target copy out of service', command: '<%= config.bin %> <%= command.id %> --rollback 20261124T101500Z-a1b2c3'},
    {description: 'Move a KVM guest to another libvirt host, into its pool "fast"', command: '<%= config.bin %> <%= command.id %> --driver libvirt --vm openclaw --from root@kvm1 --to root@kvm2 --target-pool fast --dry-run'},
    {description: 'Move a Lume VM directory to another Mac, into a storage location there (registered with `lume config storage add` if new)', command: '<%= config.bin %> <%= command.id %> --driver lume --vm openclaw-vm --from admin@mac1 --to admin@mac2 --driver-opt storage=/Volumes/VMs/lume --dry-run'},
    {description: 'Move a Lume VM through an OCI registry (lume push/pull) when the two Macs do not reach each other; credentials from a 0600 secrets file (GITHUB_USERNAME, GITHUB_TOKEN), never argv', command: '<%= config.bin %> <%= command.id %> --driver lume --vm openclaw-vm --from admin@mac1 --to admin@mac2 --driver-opt registry=ghcr.io/acme/openclaw-vm:moved --secrets-file ./registry.env --yes'},
    {description: 'Move a Parallels VM bundle and register it on the other Mac under a new UUID', command: '<%= config.bin %> <%= command.id %> --driver parallels --vm openclaw-vm --from admin@mac1 --to admin@mac2 --dry-run'},
    {description: 'Multipass cannot export: this is a STATE move (a fresh instance like the source, then the OpenClaw state moved into it)', command: '<%= config.bin %> <%= command.id %> --driver multipass --vm openclaw --from me@box1 --to me@box2 --dry-run'},
  ]

  static flags = {
    driver: Flags.string({description: 'How to move it: file (the OpenClaw state of a bare host), or a hypervisor driver (`ocvm drivers list`).', default: 'file'}),
    vm: Flags.string({description: 'The VM to move (hypervisor drivers).', helpGroup: 'VM'}),
    mode: Flags.string({description: 'auto (default): move the image where it can run on the target, else the OpenClaw state; image or state force one.', options: ['auto', 'image', 'state'], default: 'auto', helpGroup: 'VM'}),
    live: Flags.boolean({description: 'Move the running VM through the hypervisor (libvirt: virsh migrate --live --copy-storage-all).', helpGroup: 'VM'}),
    'staging-dir': Flags.string({description: 'Where disk files land on the target before import (default: ocvm-staging-<run> beside the target pool\'s dir when the import can then link them into the pool, else in /var/tmp).', helpGroup: 'VM'}),
    ...vmStopFlags,
    ...vmSourceFlags,
    ...vmTargetFlags,
    ...vmExportFlags,
    'preserve-uuid': Flags.boolean({description: 'Parallels: keep the VM UUID on the target (default: a new one).', helpGroup: 'VM'}),
    ...vmDriverOptFlag,
    from: Flags.string({description: 'Source host: local, ssh://[user@]host[:port] or [user@]host.'}),
    to: Flags.string({description: 'Target host, same forms as --from.'}),
    ...deploymentFlags('on the source'),
    ...targetAccountFlags,
    ...sessionsFlag(['include', 'exclude', 'scan']),
    ...changeFlags,
    'dry-run': Flags.boolean({description: 'Show the plan, the path rewrites as a diff and the checks; change nothing.'}),
    precopy: Flags.boolean({description: 'Warm pre-copy (file driver): stage the state while the gateway still runs, then stop it and send only what changed, so the gateway is down for the delta only.'}),
    resume: Flags.string({description: 'Continue the interrupted run with this id.', exclusive: ['rollback']}),
    rollback: Flags.string({description: 'Undo the run with this id: stop and disable the target\'s gateway, take the target copy out of service, put the source gateway back as it was and wait for its /health. Asks first (or --yes).', exclusive: ['resume']}),
    hooks: Flags.string({description: 'Post-migrate hooks to run after commit, comma-separated (default: all; `ocvm hooks list`).', exclusive: ['skip-hooks']}),
    'skip-hooks': Flags.boolean({description: 'Do not run post-migrate hooks (run them later with `ocvm hooks run`).'}),
    ...secretsFlags,
  }

  async run(): Promise<AnyMigrationResult> {
    const {flags} = await this.parse(Migrate)
    const ctx = this.createContext(flags)
    // A resumed or undone run keeps the driver, driver options and hosts it was started with.
    const runId = flags.resume ?? flags.rollback
    const journaled = runId ? journaledRun(runId) : undefined
    const hosts = journaled?.hosts ?? this.hostsOf(flags)
    const driver = await this.driverFor(journaled?.driver ?? flags.driver, ctx, journaled?.driverOptions ?? vmDriverOptions(flags), hosts)
    const request: MigrateRequest = {
      driver, options: migrateOptions(flags, driver.name), vm: vmMoveOptions(flags),
      ...(flags.rollback ? {rollback: flags.rollback} : {}),
      ...(!runId && hosts.source && hosts.target ? {hosts: {source: hosts.source, target: hosts.target}} : {}),
    }
    checkRequest(request)
    const callbacks: MigrationCallbacks = {}
    if (flags.rollback) await this.confirmRollback(flags.rollback, flags)
    else {
      const {hookIds, extraHooks, secrets} = await this.hookInputs(flags, ctx)
      this.requireConfirmation(flags)
      if (hookIds) request.options.hooks = hookIds
      if (secrets) callbacks.secrets = secrets
      if (extraHooks.length > 0) callbacks.extraHooks = extraHooks
      if (!flags.yes && !flags.resume) callbacks.confirm = async (plan) => this.ask(renderMigrationPlan(plan))
    }
    const result = await migrate(request, ctx, callbacks)
    if (!this.jsonEnabled()) {
      this.log(result.dryRun ? renderMigrationPlan(result) : renderMigrationOutcome(result))
      if (result.hooks && !flags.rollback) this.log(`\n${renderHookRun(result.hooks)}`)
    }
    return this.finish(result)
  }

  /** Hook ids (checked now, not after the commit), plugin hooks and secret values for the hooks step. */
  private async hookInputs(flags: MigrateFlags, ctx: ReturnType<Migrate['createContext']>) {
    const hookIds = flags.hooks?.split(',').map((h) => h.trim()).filter(Boolean)
    const listed = flags['skip-hooks'] ? [] : await this.loadHooks(ctx)
    const extraHooks = listed.filter((h) => h.source !== 'builtin').map((h) => h.hook)
    if (hookIds) selectHooks(hookIds, listed.map((h) => h.hook))
    const secrets = await secretsFromFlags(flags, ctx.runner.redactor)
    return {hookIds, extraHooks, secrets}
  }

  /** Undoing a run changes both hosts: shown and asked on a terminal, or --yes. */
  private async confirmRollback(runId: string, flags: {yes?: boolean}): Promise<void> {
    if (flags.yes) return
    const plan = `Rolling back run ${runId} will:\n${describeRollback(runId).map((l) => `  - ${l}`).join('\n')}`
    if (process.stdin.isTTY !== true || this.jsonEnabled()) throw new UsageError('refusing to roll back without confirmation in a non-interactive session', `Pass --yes. ${plan}`)
    if (!(await this.ask(plan))) throw new AbortedError('rollback')
  }

  /** A resumed run was confirmed when it started; otherwise ask on a terminal, or require --yes. */
  private requireConfirmation(flags: {yes?: boolean; 'dry-run'?: boolean; resume?: string}): void {
    const interactive = process.stdin.isTTY === true && !this.jsonEnabled()
    if (!flags.yes && !flags['dry-run'] && !flags.resume && !interactive) {
      throw new UsageError('refusing to migrate without confirmation in a non-interactive session', 'Pass --yes (after checking the plan with --dry-run).')
    }
  }

}

type MigrateFlags = Interfaces.InferredFlags<typeof Migrate.flags>

/** Flags → the options every driver's migration reads (journaled as given). */
function migrateOptions(flags: MigrateFlags, driver: string): MigrateOptions {
  return {
    driver,
    from: flags.from ?? '',
    to: flags.to ?? '',
    sessions: flags.sessions as SessionsMode,
    dryRun: Boolean(flags['dry-run']),
    force: Boolean(flags.force),
    ...(flags.precopy ? {precopy: true} : {}),
    ...(flags.user ? {user: flags.user} : {}),
    ...(flags['target-user'] ? {targetUser: flags['target-user']} : {}),
    ...(flags['target-home'] ? {targetHome: flags['target-home']} : {}),
    ...(flags['target-state-dir'] ? {targetStateDir: flags['target-state-dir']} : {}),
    ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
    ...(flags.profile ? {profile: flags.profile} : {}),
    ...(flags.resume ? {resume: flags.resume} : {}),
    ...(flags['skip-hooks'] ? {skipHooks: true} : {}),
  }
}

/** Flags → how a VM moves (read by drivers that move images). */
function vmMoveOptions(flags: MigrateFlags): VmMoveOptions {
  return {
    vm: flags.vm ?? '',
    mode: flags.mode as VmMoveOptions['mode'],
    live: Boolean(flags.live),
    forceStop: Boolean(flags['force-stop']),
    stopTimeoutSec: flags['stop-timeout'],
    driverOptions: vmDriverOptions(flags),
    ...(flags['target-name'] ? {targetName: flags['target-name']} : {}),
    ...(flags['staging-dir'] ? {stagingDir: flags['staging-dir']} : {}),
  }
}
