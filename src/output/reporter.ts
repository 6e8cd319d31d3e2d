import {createProgressBar, type ProgressSink} from './progress.js'
import {styleFor, type StyleEnv} from './style.js'

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

export interface StderrReporterOptions {
  verbose: boolean
  quiet: boolean
  /** Where the text goes (default stderr), whether that is a terminal, how wide it is, and the env that decides about colour. */
  write?: (text: string) => void
  tty?: boolean
  columns?: () => number | undefined
  env?: StyleEnv
}

export function createStderrReporter(options: StderrReporterOptions): Reporter {
  const out = options.write ?? ((text: string) => process.stderr.write(text))
  const tty = options.tty ?? process.stderr.isTTY === true
  const columns = options.columns ?? (() => process.stderr.columns)
  const style = styleFor({isTTY: tty}, options.env)
  // A bar on a terminal is a line without its newline until it is done: a warning or a step that
  // comes meanwhile clears it first (the next redraw brings it back), instead of being glued to it.
  let barShown = false
  const barWrite = (text: string) => {
    out(text)
    barShown = !text.endsWith('\n')
  }
  const write = (text: string) => {
    if (barShown) out('\r\u001B[K')
    barShown = false
    out(text)
  }
  return {
    step(message) {
      if (!options.quiet) write(`${style.dim('›')} ${message}\n`)
    },
    warn(message) {
      write(`${style.yellow('warning:')} ${message}\n`)
    },
    debug(message) {
      if (options.verbose) write(`${style.dim(message)}\n`)
    },
    progress(label, totalBytes) {
      return options.quiet ? noProgress : createProgressBar(label, totalBytes, {write: barWrite, tty, columns})
    },
  }
}
