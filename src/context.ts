import type {Runner} from './exec/runner.js'
import type {ShellPool} from './hosts/shell.js'
import type {Reporter} from './output/reporter.js'

/** Everything a service needs from the outside world, passed explicitly (no module globals). */
export interface Context {
  runner: Runner
  /** One Shell (and ssh master connection) per host for this command run. */
  shells: ShellPool
  reporter: Reporter
  signal?: AbortSignal
}
