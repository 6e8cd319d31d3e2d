import {Args, Flags} from '@oclif/core'

import {parseHostSpec} from '../../hosts/host-spec.js'
import {deploymentFlags} from '../../flags/deployment.js'
import {BaseCommand} from '../../base-command.js'
import {UsageError} from '../../errors.js'
import {renderHookRun} from '../../views/hooks-view.js'
import type {HookRunResult} from '../../postmigrate/engine.js'
import {secretsFlags, secretsFromFlags} from '../../postmigrate/secrets-flags.js'
import {runHooksOn} from '../../postmigrate/session.js'

export default class HooksRun extends BaseCommand {
  static summary = 'Run post-migrate hooks on a host (or guest): check, apply what is missing, verify.'

  static description = `Without IDs every hook runs (built-ins, then plugin hooks), in the order of \`ocvm hooks list\`. --dry-run only checks and shows what would change.

Secrets come from --secrets-file (mode 0600, or - for stdin) or --secret-env NAME, never from the command line; they are written on the target through stdin and never shown.`

  static strict = false

  static args = {ids: Args.string({description: 'hook ids (ocvm/services ...); default: all'})}

  static examples = [
    {description: 'What would change on the new host', command: '<%= config.bin %> <%= command.id %> --on root@new --user openclaw --dry-run'},
    {description: 'Enter secrets and (re)create the service', command: '<%= config.bin %> <%= command.id %> ocvm/secrets ocvm/services --on root@new --user openclaw --secrets-file ./secrets.env'},
    {description: 'Rewrite paths inside a VM whose user changed', command: '<%= config.bin %> <%= command.id %> ocvm/path-rewrite --on root@vm --user openclaw --map /Users/alice=/home/openclaw'},
  ]

  static flags = {
    on: Flags.string({description: 'Host to run on: local, ssh://[user@]host[:port] or [user@]host.', required: true}),
    ...deploymentFlags('there'),
    map: Flags.string({description: 'OLD=NEW directory to rewrite in the config (repeatable; for ocvm/path-rewrite).', multiple: true}),
    from: Flags.string({description: 'The old host, read (never changed) for its cron jobs and secret names.'}),
    'from-user': Flags.string({description: 'OS user of the deployment on --from.'}),
    'dry-run': Flags.boolean({description: 'Check only: show what each hook would change.'}),
    ...secretsFlags,
  }

  async run(): Promise<HookRunResult> {
    const {argv, flags} = await this.parse(HooksRun)
    const ctx = this.createContext(flags)
    const mappings = (flags.map ?? []).map((m) => {
      const [from, to] = m.split('=')
      if (!from?.startsWith('/') || !to?.startsWith('/')) throw new UsageError(`--map ${m}: expected OLD=NEW with absolute dirs`, 'Example: --map /Users/alice=/home/openclaw')
      return {from: from.replace(/\/+$/, ''), to: to.replace(/\/+$/, '')}
    })
    const secrets = await secretsFromFlags(flags, ctx.runner.redactor)
    const ids = (argv as string[]).filter(Boolean)
    const extraHooks = (await this.loadHooks(ctx)).filter((h) => h.source !== 'builtin').map((h) => h.hook)
    const result = await runHooksOn({
      on: parseHostSpec(flags.on),
      ...(ids.length > 0 ? {ids} : {}),
      dryRun: Boolean(flags['dry-run']),
      mappings,
      ...(flags.user ? {user: flags.user} : {}),
      ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
      ...(flags.profile ? {profile: flags.profile} : {}),
      ...(flags.from ? {from: {host: parseHostSpec(flags.from), ...(flags['from-user'] ? {user: flags['from-user']} : {})}} : {}),
      ...(secrets ? {secrets} : {}),
      ...(extraHooks.length > 0 ? {extraHooks} : {}),
    }, ctx)
    if (!this.jsonEnabled()) this.log(renderHookRun(result))
    return this.finish(result)
  }
}
