import {execa} from 'execa'
import {pipeline} from 'node:stream/promises'
import type {Readable, Writable} from 'node:stream'

import {CancelledError, ExternalCommandError, MissingToolError} from '../errors.js'
import {DirectPipe} from './direct-pipe.js'
import {Redactor} from './redactor.js'
import {shellJoin} from './quote.js'

// The ONE module that spawns processes. Everything else (ssh, hypervisor CLIs, tar) asks a Runner.

export interface RunOptions {
  /** Bytes or text written to stdin, then stdin is closed. */
  input?: string | Uint8Array
  /** A stream piped into stdin (transfers), or the reading end of a DirectPipe. */
  stdin?: Readable | DirectPipe
  /**
   * Send stdout here instead of buffering it (transfers); `stdout` in the result is then empty. The
   * writable is not ended, and when run returns it may still be processing the last chunks: end it
   * and wait for 'finish' before reading what it made. (Waiting here instead would hang on a relay
   * whose reader died.) Or the writing end of a DirectPipe: the command starts once the reader has.
   */
  stdout?: Writable | DirectPipe
  timeoutMs?: number
  signal?: AbortSignal
  env?: Record<string, string | undefined>
  cwd?: string
  /** Resolve with the result on a non-zero exit instead of throwing. */
  allowFailure?: boolean
  /** Where the command runs, for messages ("on ssh://host"). */
  hostLabel?: string
  /** Keep raw bytes of stdout (archives, checksums of binary data). */
  binary?: boolean
  /** Called with each stderr line as it arrives (progress from long-running tools). */
  onStderrLine?: (line: string) => void
}

export interface RunResult {
  command: string
  args: string[]
  exitCode: number
  stdout: string
  stdoutBytes?: Uint8Array
  stderr: string
  timedOut: boolean
  canceled: boolean
  durationMs: number
}

export interface Runner {
  run(command: string, args: readonly string[], options?: RunOptions): Promise<RunResult>
  readonly redactor: Redactor
}

export type DebugLog = (line: string) => void

const STDERR_TAIL_LINES = 20

/** Scripts make debug logs unreadable: show their first line and how many more there are. */
function abbreviate(arg: string): string {
  const lines = arg.split('\n')
  return lines.length <= 2 ? arg : `${lines.find((l) => l.trim()) ?? ''} …[+${lines.length - 1} lines]`
}

export function stderrTail(stderr: string, lines = STDERR_TAIL_LINES): string {
  return stderr.trimEnd().split('\n').slice(-lines).join('\n')
}

/** `signal` cancels every command this runner starts (Ctrl-C), unless a call passes its own. */
export function createRunner(options: {redactor?: Redactor; log?: DebugLog; signal?: AbortSignal} = {}): Runner {
  const redactor = options.redactor ?? new Redactor()
  const log: DebugLog = options.log ?? (() => {})

  async function run(command: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    // Redact before quoting: quoting rewrites a secret that contains `'`, so it would no longer match.
    const shown = shellJoin(redactor.redactAll([command, ...args]).map(abbreviate))
    log(`$ ${shown}${opts.hostLabel ? `   [${opts.hostLabel}]` : ''}`)
    const [directIn, relayIn] = opts.stdin instanceof DirectPipe ? [opts.stdin, undefined] : [undefined, opts.stdin]
    const [directOut, relayOut] = opts.stdout instanceof DirectPipe ? [opts.stdout, undefined] : [undefined, opts.stdout]
    const started = Date.now()

    const spawn = (stdout?: Writable) => execa(command, [...args], {
      reject: false,
      stripFinalNewline: false,
      encoding: opts.binary ? 'buffer' : 'utf8',
      input: opts.input,
      stdin: opts.input === undefined ? 'pipe' : undefined,
      ...(stdout ? {stdout} : {}),
      buffer: {stdout: opts.stdout === undefined, stderr: opts.onStderrLine === undefined},
      timeout: opts.timeoutMs,
      // A command started after the run was cancelled is its cleanup (restarting what it stopped):
      // it runs to its end. A second Ctrl-C exits the process, and with it every child.
      cancelSignal: opts.signal ?? (options.signal?.aborted ? undefined : options.signal),
      forceKillAfterDelay: 2000,
      env: opts.env,
      extendEnv: true,
      cwd: opts.cwd,
      maxBuffer: 512 * 1024 * 1024,
    })
    // Wrapped: awaiting the subprocess itself would wait for it to exit.
    const subprocess = directOut ? (await directOut.spawnWriter((stdout) => ({child: spawn(stdout)}))).child : spawn()

    let liveStderr = ''
    if (opts.onStderrLine && subprocess.stderr) {
      let partial = ''
      subprocess.stderr.setEncoding('utf8')
      subprocess.stderr.on('data', (chunk: string) => {
        liveStderr += chunk
        const lines = (partial + chunk).split('\n')
        partial = lines.pop() ?? ''
        for (const line of lines) opts.onStderrLine?.(line)
      })
    }

    const pumps: Promise<void>[] = []
    if (directIn && subprocess.stdin) directIn.attach(subprocess.stdin)
    else if (relayIn && subprocess.stdin) pumps.push(pipeline(relayIn, subprocess.stdin))
    else if (opts.input === undefined) subprocess.stdin?.end()
    if (relayOut && subprocess.stdout) pumps.push(pipeline(subprocess.stdout, relayOut, {end: false}))

    const [result, pumpResults] = await Promise.all([subprocess, Promise.allSettled(pumps)])
    const durationMs = Date.now() - started

    const spawnCode = (result as {code?: string}).code
    if (result.failed && spawnCode === 'ENOENT' && result.exitCode === undefined) {
      // The runner spawns locally: a missing binary is missing here, whatever host the command targets.
      throw new MissingToolError('this machine', command)
    }

    const stdoutRaw = result.stdout as unknown
    const stdoutBytes = stdoutRaw instanceof Uint8Array ? stdoutRaw : undefined
    const out: RunResult = {
      command,
      args: [...args],
      exitCode: result.exitCode ?? -1,
      stdout: typeof stdoutRaw === 'string' ? stdoutRaw : '',
      stdoutBytes,
      stderr: opts.onStderrLine ? liveStderr : typeof result.stderr === 'string' ? result.stderr : Buffer.from(result.stderr as Uint8Array).toString('utf8'),
      timedOut: Boolean(result.timedOut),
      canceled: Boolean(result.isCanceled),
      durationMs,
    }
    log(`  -> exit ${out.exitCode}${out.timedOut ? ' (timed out)' : ''}${out.canceled ? ' (canceled)' : ''} in ${durationMs} ms`)
    if (out.exitCode !== 0 && out.stderr.trim()) log(stderrTail(redactor.redact(out.stderr), 5).replace(/^/gm, '  ! '))

    const pumpError = pumpResults.find((p): p is PromiseRejectedResult => p.status === 'rejected')
    const ok = out.exitCode === 0 && !out.timedOut && !out.canceled
    // Cancelled is never an answer a caller reads (allowFailure or not): the work stops here.
    if (out.canceled) throw new CancelledError(`interrupted while running ${command}${opts.hostLabel ? ` on ${opts.hostLabel}` : ''}`)
    if (!ok && !opts.allowFailure) throw toExternalError(out, redactor, opts.hostLabel, opts.timeoutMs)
    if (ok && pumpError) throw pumpError.reason
    return out
  }

  return {run, redactor}
}

export function toExternalError(result: RunResult, redactor: Redactor, host?: string, timeoutMs?: number): ExternalCommandError {
  let reason: string | undefined
  if (result.timedOut) reason = `timed out after ${Math.round((timeoutMs ?? 0) / 1000)} s`
  else if (result.canceled) reason = 'was canceled'
  return new ExternalCommandError({
    command: result.command,
    args: redactor.redactAll(result.args),
    exitCode: result.timedOut || result.canceled ? undefined : result.exitCode,
    // Redact before cutting the tail, so a multi-line secret cut in half is still removed.
    stderrTail: stderrTail(redactor.redact(result.stderr)),
    host,
    reason,
  })
}
