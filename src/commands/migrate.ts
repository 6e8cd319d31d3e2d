import {Flags} from '@oclif/core'
import {createInterface} from 'node:readline/promises'

import {BaseCommand} from '../base-command.js'
import {UsageError} from '../errors.js'
import {migrate, rollback} from '../migrate/migrate.js'
import type {MigrationResult, SessionsMode} from '../migrate/types.js'
import {renderHookRun} from '../output/hooks-view.js'
import {renderOutcome, renderPlan} from '../output/migration-view.js'
import {selectHooks} from '../postmigrate/registry.js'
import {secretsFlags, secretsFromFlags} from '../postmigrate/secrets-flags.js'

export default class Migrate extends BaseCommand {
  static summary = 'Move an OpenClaw deployment to another host, verified, resumable, with the old one kept intact.'

  static description = `With --driver file (bare hosts, the default) ocvm stops the source gateway, streams the state dir and any workspaces outside it into a 0700 staging dir on the target (tar|zstd over ssh, per-file SHA-256), verifies every file, rewrites old home/state paths in openclaw.json, its $include files (comments kept) and sessions.json, then moves the result into place atomically and applies the guide's permission set.

The source is never modified: its gateway is stopped and can be started again with --rollback. Every run is journaled; --resume RUN continues an interrupted run without sending again what already arrived. Service files and secrets are never copied: they are recreated on the target.`

  static examples = [
    {description: 'See the plan and every path rewrite, change nothing', command: '<%= config.bin %> <%= command.id %> --from root@old --user openclaw --to root@new --dry-run'},
    {description: 'Migrate alice\'s gateway on a Mac to user openclaw on a Linux server', command: '<%= config.bin %> <%= command.id %> --from admin@mac.local --user alice --to root@server --target-user openclaw --yes'},
    {description: 'Continue an interrupted run', command: '<%= config.bin %> <%= command.id %> --resume 20261124T101500Z-a1b2c3'},
    {description: 'Go back: restart the source gateway, take the target copy out of service', command: '<%= config.bin %> <%= command.id %> --rollback 20261124T101500Z-a1b2c3'},
  ]

  static flags = {
    driver: Flags.string({description: 'How to move it: file (the OpenClaw state of a bare host).', default: 'file'}),
    from: Flags.string({description: 'Source host: local, ssh://[user@]host[:port] or [user@]host.'}),
    to: Flags.string({description: 'Target host, same forms as --from.'}),
    user: Flags.string({description: 'OS user that runs the gateway on the source (default: the login user).'}),
    'target-user': Flags.string({description: 'OS user that will run it on the target (default: the same name). Must exist.'}),
    'target-home': Flags.string({description: 'Home of the target user (default: from the target\'s user database).'}),
    'target-state-dir': Flags.string({description: 'State dir on the target (default: same place relative to the home).'}),
    'state-dir': Flags.string({description: 'State dir on the source (default: found like `ocvm inspect` does).'}),
    profile: Flags.string({description: 'OpenClaw profile on the source (~/.openclaw-<name>).'}),
    sessions: Flags.string({description: 'Session history: include (default), exclude, or scan for poisoned sessions.', options: ['include', 'exclude', 'scan'], default: 'include'}),
    'dry-run': Flags.boolean({description: 'Show the plan, the path rewrites as a diff and the checks; change nothing.'}),
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.'}),
    force: Flags.boolean({description: 'If the target path exists, keep it aside (renamed *.ocvm-old-<run>) instead of refusing.'}),
    resume: Flags.string({description: 'Continue the interrupted run with this id.', exclusive: ['rollback']}),
    rollback: Flags.string({description: 'Undo the run with this id: restart the source gateway, take the target copy out of service.', exclusive: ['resume']}),
    hooks: Flags.string({description: 'Post-migrate hooks to run after commit, comma-separated (default: all; `ocvm hooks list`).', exclusive: ['skip-hooks']}),
    'skip-hooks': Flags.boolean({description: 'Do not run post-migrate hooks (run them later with `ocvm hooks run`).'}),
    ...secretsFlags,
  }

  async run(): Promise<MigrationResult> {
    const {flags} = await this.parse(Migrate)
    const ctx = this.createContext(flags)
    if (flags.rollback) {
      const result = await rollback(flags.rollback, ctx)
      if (!this.jsonEnabled()) this.log(renderOutcome(result))
      return this.finish(result)
    }
    if (!flags.resume && (!flags.from || !flags.to)) {
      throw new UsageError('--from and --to are required', 'Example: ocvm migrate --from root@old-host --user openclaw --to root@new-host --dry-run')
    }
    const hookIds = flags.hooks?.split(',').map((h) => h.trim()).filter(Boolean)
    if (hookIds) selectHooks(hookIds) // unknown ids fail now, not after the commit
    const secrets = await secretsFromFlags(flags, ctx.runner.redactor)
    const interactive = process.stdin.isTTY === true && !this.jsonEnabled()
    // A resumed run was confirmed when it started.
    if (!flags.yes && !flags['dry-run'] && !flags.resume && !interactive) {
      throw new UsageError('refusing to migrate without confirmation in a non-interactive session', 'Pass --yes (after checking the plan with --dry-run).')
    }
    const result = await migrate(
      {
        driver: flags.driver,
        from: flags.from ?? '',
        to: flags.to ?? '',
        sessions: flags.sessions as SessionsMode,
        dryRun: Boolean(flags['dry-run']),
        force: Boolean(flags.force),
        ...(flags.user ? {user: flags.user} : {}),
        ...(flags['target-user'] ? {targetUser: flags['target-user']} : {}),
        ...(flags['target-home'] ? {targetHome: flags['target-home']} : {}),
        ...(flags['target-state-dir'] ? {targetStateDir: flags['target-state-dir']} : {}),
        ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
        ...(flags.profile ? {profile: flags.profile} : {}),
        ...(flags.resume ? {resume: flags.resume} : {}),
        ...(hookIds ? {hooks: hookIds} : {}),
        ...(flags['skip-hooks'] ? {skipHooks: true} : {}),
      },
      ctx,
      {
        ...(secrets ? {secrets} : {}),
        confirm: flags.yes || flags.resume ? undefined : async (plan) => {
          this.logToStderr(renderPlan(plan))
          const rl = createInterface({input: process.stdin, output: process.stderr})
          const answer = await rl.question('\nProceed? [y/N] ')
          rl.close()
          return /^y(es)?$/i.test(answer.trim())
        },
      },
    )
    if (!this.jsonEnabled()) this.log(result.dryRun ? renderPlan(result) : renderOutcome(result))
    if (!this.jsonEnabled() && result.hooks) this.log(`\n${renderHookRun(result.hooks)}`)
    return this.finish(result)
  }
}
