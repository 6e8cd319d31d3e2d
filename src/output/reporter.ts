import {createProgressBar, type ProgressSink} from './progress.js'

/**
 * Services report what they are doing through this interface; only reporters (and commands) write to
 * the terminal. Human output goes to stderr so that stdout stays clean for data (`--json`).
 */
export interface Reporter {
  /** A named step starts. */
  step(message: string): void
  /** Something the user should know, but not a failure. */
  warn(message: string): void
  /** Debug detail (commands run, timings); shown with --verbose. */
  debug(message: string): void
  /** A long piece of work measured in bytes: bar, rate and ETA. */
  progress(label: string, totalBytes: number): ProgressSink
}

const noProgress: ProgressSink = {update() {}, done() {}}

export const silentReporter: Reporter = {step() {}, warn() {}, debug() {}, progress: () => noProgress}

export function createStderrReporter(options: {verbose: boolean; quiet: boolean; write?: (text: string) => void}): Reporter {
  const write = options.write ?? ((text: string) => process.stderr.write(text))
  const tty = process.stderr.isTTY === true
  const dim = (s: string) => (tty ? `\u001B[2m${s}\u001B[22m` : s)
  return {
    step(message) {
      if (!options.quiet) write(`${dim('›')} ${message}\n`)
    },
    warn(message) {
      write(`warning: ${message}\n`)
    },
    debug(message) {
      if (options.verbose) write(`${dim(message)}\n`)
    },
    progress(label, totalBytes) {
      return options.quiet ? noProgress : createProgressBar(label, totalBytes, {write, tty})
    },
  }
}
