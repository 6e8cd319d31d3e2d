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
}

export const silentReporter: Reporter = {step() {}, warn() {}, debug() {}}

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
  }
}
