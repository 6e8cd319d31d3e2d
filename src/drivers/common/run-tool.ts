import type {Context} from '../../context.js'
import {MissingToolError, OcvmError, VmNotFoundError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import {toExternalError} from '../../exec/runner.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import type {Shell, ShellRunOptions} from '../../hosts/shell.js'

export interface ToolSpec {
  /** The CLI's name as typed (`lume`, `prlctl`, `multipass`). */
  tool: string
  /** How to install it, for MissingToolError. */
  installHint: string
  /** Turns a documented failure into a clear ocvm error; undefined falls back to ExternalCommandError. */
  mapFailure(result: RunResult, host: string): OcvmError | undefined
}

/**
 * Runs one hypervisor CLI command on `host` and maps its documented failures. A tool missing from
 * PATH (exit 127 over ssh, ENOENT locally) becomes MissingToolError with the tool's install hint.
 */
export async function runTool(spec: ToolSpec, host: HostSpec, ctx: Context, argv: readonly string[], options: ShellRunOptions = {}): Promise<RunResult> {
  const shell = ctx.shells.get(host)
  return runToolOn(spec, shell, ctx, argv, options)
}

export async function runToolOn(spec: ToolSpec, shell: Shell, ctx: Context, argv: readonly string[], options: ShellRunOptions = {}): Promise<RunResult> {
  let result: RunResult
  try {
    result = await shell.exec(argv, {timeoutMs: 120_000, ...options, allowFailure: true})
  } catch (error) {
    if (error instanceof MissingToolError && error.details.tool === argv[0]) throw new MissingToolError(shell.label, spec.tool, spec.installHint)
    throw error
  }
  if (result.exitCode === 0 && !result.timedOut && !result.canceled) return result
  if (!result.timedOut && !result.canceled) {
    // 127: the shell could not find the command; the tool (possibly run through `sh -c ... exec`) is missing.
    if (result.exitCode === 127) throw new MissingToolError(shell.label, spec.tool, spec.installHint)
    const mapped = spec.mapFailure(result, shell.label)
    if (mapped) throw mapped
  }
  throw toExternalError(result, ctx.runner.redactor, shell.label, options.timeoutMs ?? 120_000)
}

/** The value, or undefined when the tool says the VM does not exist (existence checks before creating). */
export async function unlessNotFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup
  } catch (error) {
    if (error instanceof VmNotFoundError) return undefined
    throw error
  }
}
