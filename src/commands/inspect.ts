import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {inspectDeployment} from '../deployment/inspect.js'
import type {Inventory} from '../deployment/types.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import {renderInventory} from '../output/inventory-view.js'

export default class Inspect extends BaseCommand {
  static summary = 'Show what an OpenClaw deployment consists of and how each part will be migrated.'

  static description = `Finds the deployment (honouring OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, --profile and the legacy ~/.clawdbot dirs, and the environment of its systemd unit or LaunchDaemon) and lists every component of the migration: config and $include files, workspaces (also outside the state dir), WhatsApp, Signal, Google Chat, auth profiles, identity, sessions, memory index, extensions, cron store, logs, secrets, service files and scheduled tasks, with size, file count and treatment (transfer, optional, re-pair, rebuild, recreate, manual).

Secret values are never read off the host: only key names are reported. Nothing is changed.`

  static examples = [
    {description: 'Inspect the deployment of the current user on this machine', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Inspect the gateway of user openclaw on a server, over ssh', command: '<%= config.bin %> <%= command.id %> --from root@server --user openclaw'},
    {description: 'A profile (~/.openclaw-work), as JSON', command: '<%= config.bin %> <%= command.id %> --from ssh://me@mac.local --profile work --json'},
  ]

  static flags = {
    from: Flags.string({description: 'Host to inspect: local, ssh://[user@]host[:port] or [user@]host.', default: 'local'}),
    user: Flags.string({description: 'OS user whose deployment to inspect (default: the login user).'}),
    'state-dir': Flags.string({description: 'State directory (default: resolved like OpenClaw does, ~/.openclaw).'}),
    config: Flags.string({description: 'Config file (default: <state-dir>/openclaw.json or OPENCLAW_CONFIG_PATH).'}),
    profile: Flags.string({description: 'OpenClaw profile name: state in ~/.openclaw-<name>.'}),
  }

  async run(): Promise<Inventory> {
    const {flags} = await this.parse(Inspect)
    const ctx = this.createContext(flags)
    const inventory = await inspectDeployment(
      {host: parseHostSpec(flags.from), user: flags.user, stateDir: flags['state-dir'], configPath: flags.config, profile: flags.profile},
      ctx,
    )
    if (!this.jsonEnabled()) this.log(renderInventory(inventory))
    return inventory
  }
}
