import {BaseCommand} from '../../base-command.js'
import {table} from '../../output/format.js'
import {DEFAULT_HOOK_IDS} from '../../postmigrate/catalog.js'

export interface HookListEntry {
  id: string
  description: string
  onError: 'continue' | 'fail'
  timeoutMs: number
  appliesTo: {os?: string[]; drivers?: string[]; where?: string[]}
  default: boolean
  /** `builtin`, or the plugin package that registers it. */
  source: string
}

export default class HooksList extends BaseCommand {
  static summary = 'List the post-migrate hooks (built-in and from plugins), in the order `ocvm migrate` runs them.'

  static description = 'Each hook checks the target first and changes only what is missing, so running it again is a no-op. A hook with on-error "fail" stops the run; "continue" marks it partial (exit 3).'

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --json']

  async run(): Promise<HookListEntry[]> {
    const {flags} = await this.parse(HooksList)
    const ctx = this.createContext(flags)
    const listed = await this.loadHooks(ctx)
    const entries = listed.map(({hook: h, source}) => ({id: h.id, description: h.description, onError: h.onError, timeoutMs: h.timeoutMs, appliesTo: {...h.appliesTo}, default: source !== 'builtin' || DEFAULT_HOOK_IDS.includes(h.id), source}))
    if (!this.jsonEnabled()) {
      this.log(table(['ID', 'SOURCE', 'ON ERROR', 'APPLIES TO', 'DESCRIPTION'], entries.map((e) => [e.id, e.source, e.onError, [e.appliesTo.os?.join('/') ?? 'linux/macos', e.appliesTo.where?.join('/') ?? 'host/guest'].join(', '), e.description])))
    }
    return entries
  }
}
