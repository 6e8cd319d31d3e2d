import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import {checkHost, type DoctorResult} from '../doctor/host-doctor.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import {table} from '../output/format.js'

export default class Doctor extends BaseCommand {
  static summary = 'Check what a host offers for a migration: ssh, tar, zstd, rsync, OpenClaw, free disk.'

  static description = 'Run it against the source and the target before migrating. Exits 1 when something required is missing; optional tools are warnings.'

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --on root@new-server',
    '<%= config.bin %> <%= command.id %> --on ssh://admin@10.0.0.5:2222 --json',
  ]

  static flags = {
    on: Flags.string({description: 'Host to check: local, ssh://[user@]host[:port] or [user@]host.', default: 'local'}),
  }

  async run(): Promise<DoctorResult> {
    const {flags} = await this.parse(Doctor)
    const ctx = this.createContext(flags)
    const result = await checkHost({host: parseHostSpec(flags.on)}, ctx)
    if (!this.jsonEnabled()) {
      this.log(`${result.host}: ${result.os}/${result.arch}, logged in as ${result.user}\n`)
      this.log(table(['CHECK', 'STATUS', 'DETAIL'], result.checks.map((c) => [c.name, c.status.toUpperCase(), c.detail + (c.hint ? `\n${' '.repeat(28)}→ ${c.hint}` : '')])))
    }
    return this.finish(result)
  }
}
