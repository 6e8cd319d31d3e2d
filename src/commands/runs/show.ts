import {Args} from '@oclif/core'

import {BaseCommand} from '../../base-command.js'
import {showRun, type RunDetail} from '../../migrate/runs.js'
import {renderRun} from '../../views/runs-view.js'

export default class RunsShow extends BaseCommand {
  static summary = 'Show one run: where it stands, each step, and the commands that continue or undo it.'

  static description = 'With --json, the run\'s whole journal (paths, names, sizes, checksums and step records; never a secret value).'

  static examples = [
    '<%= config.bin %> <%= command.id %> 20261124T101500Z-a1b2c3',
    '<%= config.bin %> <%= command.id %> 20261124T101500Z-a1b2c3 --json',
  ]

  static args = {
    run: Args.string({description: 'The run id (`ocvm runs list`).', required: true}),
  }

  async run(): Promise<RunDetail> {
    const {args, flags} = await this.parse(RunsShow)
    this.createContext(flags)
    const run = showRun(args.run)
    if (!this.jsonEnabled()) this.log(renderRun(run))
    return run
  }
}
