import {Command, Flags, toConfiguredId, type Interfaces} from '@oclif/core'
import {createInterface} from 'node:readline/promises'

import type {Context} from './context.js'
import {createHookList, type ListedHook} from './plugins/hook-list.js'
import {BUILTIN_HOOKS} from './postmigrate/catalog.js'
import type {Driver, DriverHosts} from './drivers/api.js'
import {BUILTIN_DRIVERS} from './drivers/builtin.js'
import {configureDriver} from './drivers/configure.js'
import {loadDrivers, type LoadedDrivers} from './plugins/load-drivers.js'
import {BugError, CancelledError, EXIT_CODES, OcvmError} from './errors.js'
import {isOclifParseError, usageErrorFromOclif} from './flags/parse-error.js'
import {Redactor} from './exec/redactor.js'
import {createRunner} from './exec/runner.js'
import {parseHostSpec} from './hosts/host-spec.js'
import {ShellPool} from './hosts/shell.js'
import {createStderrReporter} from './output/reporter.js'
import {markSeverity, styleFor} from './output/style.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>

/** A result that finished but not completely (a `continue` hook failed): exit code 3. */
export interface MaybePartial {
  status?: string
}

/**
 * Every ocvm command: `--json` (data on stdout, nothing else), global ssh/verbosity flags, one Context
 * per run, and errors mapped to exit codes (0 ok, 1 failed, 2 usage, 3 partial, 130 cancelled) with a hint.
 */
export abstract class BaseCommand extends Command {
  static enableJsonFlag = true

  static baseFlags = {
    'ssh-config': Flags.string({
      description: 'ssh client config file passed to ssh as -F (hosts, users, keys, ProxyJump).',
      env: 'OCVM_SSH_CONFIG',
      helpGroup: 'GLOBAL',
    }),
    verbose: Flags.boolean({
      char: 'v',
      description: 'Show every command ocvm runs (secrets redacted).',
      env: 'OCVM_DEBUG',
      helpGroup: 'GLOBAL',
    }),
    quiet: Flags.boolean({
      char: 'q',
      description: 'Print no step or progress lines; warnings, errors, prompts and the result still show.',
      helpGroup: 'GLOBAL',
    }),
  }

  private shellPool?: ShellPool
  private verboseErrors = false
  private abort?: AbortController

  /** Builds the run's Context from the global flags. */
  protected createContext(flags: {'ssh-config'?: string; verbose?: boolean; quiet?: boolean}): Context {
    this.verboseErrors = Boolean(flags.verbose)
    // --json is quiet too: its stderr carries only what a script must not miss (warnings, errors).
    const reporter = createStderrReporter({verbose: Boolean(flags.verbose), quiet: Boolean(flags.quiet) || this.jsonEnabled()})
    const redactor = new Redactor()
    // Ctrl-C cancels the commands in flight (they are killed, then the cleanup runs and says how to
    // continue); a second one exits at once. `on`, not `once`: with no listener of ours left,
    // signal-exit (execa's) would re-raise the signal and end the process before any cleanup.
    const abort = new AbortController()
    this.abort = abort
    const cancel = (signal: NodeJS.Signals) => {
      if (abort.signal.aborted) process.exit(EXIT_CODES.cancelled)
      reporter.warn(`${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping what runs, then putting back what the run changed before its commit point (again to exit at once)`)
      abort.abort(new Error(signal === 'SIGINT' ? 'interrupted' : 'terminated'))
    }
    process.on('SIGINT', cancel)
    process.on('SIGTERM', cancel)
    // Seconds since the start on every command line: where a run spends its time, with --verbose.
    const started = Date.now()
    const runner = createRunner({redactor, log: (line) => reporter.debug(`[${((Date.now() - started) / 1000).toFixed(2).padStart(6)}s] ${line}`), signal: abort.signal})
    this.shellPool = new ShellPool({runner, ssh: {configFile: flags['ssh-config']}})
    return {runner, shells: this.shellPool, reporter, signal: abort.signal}
  }

  /**
   * The drivers of this run (built-ins + plugins). Plugin problems become warnings on stderr (also
   * under --json, where stdout carries only data) and are returned for commands that report them.
   */
  protected async loadDrivers(ctx: Context): Promise<LoadedDrivers> {
    const result = await loadDrivers(this.config)
    for (const w of result.warnings) ctx.reporter.warn(w.hint ? `${w.message}\n  hint: ${w.hint}` : w.message)
    return result
  }

  /**
   * The driver a command runs with, bound to the run's driver options and hosts. Built-in drivers
   * need no plugins loaded; any other name loads them (an unknown one fails here, with the list).
   */
  protected async driverFor(name: string, ctx: Context, options: Record<string, unknown>, hosts: DriverHosts): Promise<Driver> {
    const driver = BUILTIN_DRIVERS.find((d) => d.name === name) ?? (await this.loadDrivers(ctx)).drivers.get(name)
    return configureDriver(driver, options, hosts)
  }

  /** `--from` and `--to`, parsed once, for the commands that have them. */
  protected hostsOf(flags: {from?: string | undefined; to?: string | undefined}): DriverHosts {
    return {...(flags.from ? {source: parseHostSpec(flags.from)} : {}), ...(flags.to ? {target: parseHostSpec(flags.to)} : {})}
  }

  /** The post-migrate hooks of this run: the built-ins, then what plugins register (warnings shown). */
  protected async loadHooks(ctx: Context): Promise<ListedHook[]> {
    const {hooks, warnings} = await createHookList(this.config, BUILTIN_HOOKS)
    for (const w of warnings) ctx.reporter.warn(w.hint ? `${w.message}\n  hint: ${w.hint}` : w.message)
    return hooks
  }

  // What commands print gets its severity marks coloured (ERROR, WARN, FAIL), when the stream takes colour.
  override log(message = '', ...args: unknown[]): void {
    super.log(markSeverity(message, styleFor(process.stdout)), ...args)
  }

  override logToStderr(message = '', ...args: unknown[]): void {
    super.logToStderr(markSeverity(message, styleFor(process.stderr)), ...args)
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    await this.shellPool?.closeAll()
    return super.finally(error)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<never> {
    // Whatever broke once the run was cancelled broke because of it.
    const usage = `${this.config.bin} ${toConfiguredId(this.id ?? '', this.config)}`.trim()
    const ocvmError = this.abort?.signal.aborted && !(error instanceof CancelledError) ? new CancelledError(`cancelled: ${toOcvmError(error, usage).message}`) : toOcvmError(error, usage)
    if (this.jsonEnabled()) {
      this.logJson({status: 'failed', error: ocvmError.toJSON()})
    } else {
      this.logToStderr(`Error: ${ocvmError.message}`)
      if (ocvmError.hint) this.logToStderr(`Hint: ${ocvmError.hint}`)
      if (this.verboseErrors && ocvmError instanceof BugError && ocvmError.cause instanceof Error) this.logToStderr(ocvmError.cause.stack ?? '')
    }
    this.exit(ocvmError.exitCode)
  }

  /** Shows the plan on stderr and asks to proceed (interactive runs without --yes). */
  protected async ask(plan: string): Promise<boolean> {
    this.logToStderr(plan)
    const rl = createInterface({input: process.stdin, output: process.stderr})
    const answer = await rl.question('\nProceed? [y/N] ')
    rl.close()
    return /^y(es)?$/i.test(answer.trim())
  }

  /** Sets exit code 3 for partial results; call with the value run() returns. */
  protected finish<T extends MaybePartial>(result: T): T {
    if (result.status === 'partial') process.exitCode = EXIT_CODES.partial
    if (result.status === 'failed') process.exitCode = EXIT_CODES.failed
    return result
  }
}

/**
 * oclif parse errors become usage errors with their whole message (which flag, which argument);
 * anything unexpected becomes a BugError (no stack trace shown). `usage` is how the user runs the
 * command (`ocvm verify`), for the hint.
 */
export function toOcvmError(error: unknown, usage?: string): OcvmError {
  if (error instanceof OcvmError) return error
  if (isOclifParseError(error)) return usageErrorFromOclif(error, usage)
  const e = error as Error | undefined
  return new BugError(e?.message ?? String(error), error)
}
