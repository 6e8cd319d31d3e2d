import {BaseCommand} from '../../base-command.js'
import {BUILTIN_DRIVERS} from '../../drivers/builtin.js'
import {DriverRegistry} from '../../drivers/registry.js'
import {table} from '../../output/format.js'

export interface DriverListEntry {
  name: string
  source: string
  description: string
  apiVersion: number
  capabilities: Record<string, unknown>
}

export default class DriversList extends BaseCommand {
  static summary = 'List the drivers ocvm can use, where each one comes from, and what it can do.'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<DriverListEntry[]> {
    await this.parse(DriversList)
    const registry = new DriverRegistry(BUILTIN_DRIVERS)
    const entries = registry.list().map(({driver, source}) => ({
      name: driver.name,
      source,
      description: driver.description,
      apiVersion: driver.apiVersion,
      capabilities: {...driver.capabilities},
    }))
    if (!this.jsonEnabled()) {
      this.log(table(['NAME', 'SOURCE', 'LEVEL', 'CAN', 'DESCRIPTION'], entries.map((e) => {
        const c = e.capabilities as {level: string; export: boolean; import: boolean; live: boolean; guestExec: boolean}
        const can = [c.export && 'export', c.import && 'import', c.live && 'live', c.guestExec && 'guest-exec'].filter(Boolean).join(',') || 'inspect'
        return [e.name, e.source, c.level, can, e.description]
      })))
    }
    return entries
  }
}
