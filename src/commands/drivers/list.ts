import {BaseCommand} from '../../base-command.js'
import type {DriverCapabilities} from '../../drivers/api.js'
import {table} from '../../output/format.js'
import type {PluginSource, PluginWarning} from '../../plugins/load.js'

export interface DriverListEntry {
  name: string
  /** `builtin`, or the plugin package's name. */
  source: string
  /** The plugin package (name, version, `user`/`link`), for plugin drivers. */
  plugin?: PluginSource
  description: string
  apiVersion: number
  capabilities: DriverCapabilities
}

export interface DriverListResult {
  drivers: DriverListEntry[]
  /** Plugins that could not contribute a driver, and why. */
  warnings: PluginWarning[]
}

export default class DriversList extends BaseCommand {
  static summary = 'List the drivers ocvm can use, where each one comes from, and what it can do.'

  static description = `Built-in drivers come with ocvm; others come from plugins (npm packages named ocvm-driver-<name>) installed with \`ocvm plugins install\` or \`ocvm plugins link\`. A plugin that fails to load, answers too slowly, is built for another driver API version, or reuses a taken name is listed as a warning and left out.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
    {description: 'Add a third-party driver, then see it here', command: '<%= config.bin %> plugins install ocvm-driver-virtualbox'},
  ]

  async run(): Promise<DriverListResult> {
    const {flags} = await this.parse(DriversList)
    const ctx = this.createContext(flags)
    const loaded = await this.loadDrivers(ctx)
    const drivers = loaded.drivers.list().map(({driver, source, plugin}) => ({
      name: driver.name,
      source,
      ...(plugin ? {plugin} : {}),
      description: driver.description,
      apiVersion: driver.apiVersion,
      capabilities: {...driver.capabilities},
    }))
    if (!this.jsonEnabled()) {
      this.log(table(['NAME', 'SOURCE', 'LEVEL', 'CAN', 'DESCRIPTION'], drivers.map((e) => {
        const c = e.capabilities
        const can = [c.export && 'export', c.import && 'import', c.live && 'live', c.guestExec && 'guest-exec'].filter(Boolean).join(',') || 'inspect'
        const source = e.plugin ? `${e.plugin.name}@${e.plugin.version}${e.plugin.type === 'link' ? ' (linked)' : ''}` : e.source
        return [e.name, source, c.level, can, e.description]
      })))
    }
    return {drivers, warnings: loaded.warnings}
  }
}
