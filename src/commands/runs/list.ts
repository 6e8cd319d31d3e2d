import {BaseCommand} from '../../base-command.js'
import {listRuns, type RunSummary} from '../../migrate/runs.js'
import {renderRunList} from '../../views/runs-view.js'

export default class RunsList extends BaseCommand {
  static summary = 'List the migration and import runs journaled on this machine, newest first, with where each one stands.'

  static description = `Each run of \`ocvm migrate\` and \`ocvm import\` keeps a journal on the machine that ran it. A run is running (its ocvm process is alive), interrupted (cancelled, or its process is gone), failed, migrated, partial (moved; a hook needs a human) or rolled back. Use the run id with \`ocvm migrate --resume\`, \`--rollback\` or \`ocvm runs show\`.`

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --json',
  ]

  async run(): Promise<{runs: RunSummary[]}> {
    const {flags} = await this.parse(RunsList)
    this.createContext(flags)
    const runs = listRuns()
    if (!this.jsonEnabled()) this.log(renderRunList(runs))
    return {runs}
  }
}
