import type {Context} from '../../../context.js'
import type {Shell} from '../../../hosts/shell.js'
import type {Journal} from '../../../pipeline/journal.js'
import type {MigrationState} from '../../types.js'

/** What every step of a state move works with: its journal and the two ends. */
export interface StateStepEnv {
  journal: Journal<MigrationState>
  /** Where the state is read (for an import: the target itself, which holds the unpacked archive). */
  source: Shell
  target: Shell
  ctx: Context
}
