import {Args, Flags} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {probeDrivers, type ProbeAllResult} from '../../drivers/probe-all.js'
import {parseHostSpec} from '../../hosts/host-spec.js'
import {table} from '../../output/format.js'

export default class DriversDoctor extends BaseCommand {
  static summary = 'Check which drivers can work on a host: is the hypervisor tool there, which version.'

  static description = 'Runs every driver\'s probe (built-in and plugin drivers) on the host; probes only look, they change nothing. A driver whose probe crashes is reported with its plugin\'s name and the command exits 3.'

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> virtualbox --on admin@mac.local',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  static args = {
    drivers: Args.string({description: 'Drivers to check (default: all).', required: false}),
  }

  static strict = false

  static flags = {
    on: Flags.string({description: 'Host to check: local, ssh://[user@]host[:port] or [user@]host.', default: 'local'}),
  }

  async run(): Promise<ProbeAllResult> {
    const {flags, argv} = await this.parse(DriversDoctor)
    const ctx = this.createContext(flags)
    const {drivers} = await this.loadDrivers(ctx)
    const result = await probeDrivers(drivers, parseHostSpec(flags.on), argv as string[], ctx)
    if (!this.jsonEnabled()) {
      this.log(table(['DRIVER', 'SOURCE', 'STATUS', 'DETAIL'], result.drivers.map((d) => [
        d.name, d.source, d.broken ? 'BROKEN' : d.available ? 'OK' : 'MISSING', d.available ? (d.version ?? '') : (d.detail ?? ''),
      ])))
    }
    return this.finish(result)
  }
}
