import {mkdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {BugError, MissingToolError, UsageError} from '../errors.js'
import type {RunOptions, RunResult, Runner} from '../exec/runner.js'
import {toExternalError} from '../exec/runner.js'
import {formatHostSpec, type HostSpec} from './host-spec.js'
import {classifySshFailure, missingCommandName} from './ssh-errors.js'
import {sshCommandArgs, sshControlExitArgs, type SshHost, type SshSettings} from './ssh-argv.js'
import {chooseCiphers} from './ssh-ciphers.js'

export type ShellRunOptions = Omit<RunOptions, 'hostLabel'>

/**
 * Runs commands on one host: locally, or through `ssh` with a multiplexed connection. The argv is
 * never interpreted by a local shell; on a remote host it is quoted for the remote login shell.
 * Used for hosts and (later) for guests, where a driver may supply its own native exec.
 */
export interface Shell {
  readonly host: HostSpec
  /** `local` or `ssh://user@host:port`, for messages. */
  readonly label: string
  /** Runs argv. Throws on failure unless `allowFailure`; connection problems always throw. */
  exec(argv: readonly string[], options?: ShellRunOptions): Promise<RunResult>
  /** Runs a POSIX sh script with positional args: `sh -c SCRIPT sh ARGS...` (args are data, never code). */
  script(body: string, args?: readonly string[], options?: ShellRunOptions): Promise<RunResult>
}

export interface ShellPoolOptions {
  runner: Runner
  ssh: Partial<SshSettings>
}

/** One Shell per host for a command run, so each host gets one ssh master connection, closed at the end. */
export class ShellPool {
  private readonly shells = new Map<string, Shell>()
  private readonly settings: SshSettings
  private readonly runner: Runner

  constructor(options: ShellPoolOptions) {
    this.runner = options.runner
    this.settings = {...options.ssh, controlDir: options.ssh.controlDir ?? defaultControlDir()}
  }

  get(host: HostSpec): Shell {
    const key = formatHostSpec(host)
    let shell = this.shells.get(key)
    if (!shell && host.kind === 'guest') {
      throw new UsageError(`${key} is not a host ocvm can reach on its own`, 'A guest is reached through its driver: give --driver and --vm instead.')
    }
    if (!shell) {
      shell = createShell(host, this.runner, this.settings)
      this.shells.set(key, shell)
    }
    return shell
  }

  /** Makes a driver's guest shell (native exec, `host.kind === 'guest'`) reachable by its host spec. */
  register(shell: Shell): void {
    this.shells.set(formatHostSpec(shell.host), shell)
  }

  async closeAll(): Promise<void> {
    const closes = [...this.shells.values()].map(async (shell) => {
      if (shell.host.kind !== 'ssh') return
      await this.runner.run('ssh', sshControlExitArgs(shell.host, this.settings), {allowFailure: true, timeoutMs: 5000})
    })
    this.shells.clear()
    await Promise.allSettled(closes)
  }
}

function defaultControlDir(): string {
  const dir = path.join(tmpdir(), `ocvm-${process.getuid?.() ?? 'u'}`)
  mkdirSync(dir, {recursive: true, mode: 0o700})
  return dir
}

export function createShell(host: HostSpec, runner: Runner, settings: SshSettings): Shell {
  if (host.kind === 'guest') throw new BugError(`createShell cannot reach ${formatHostSpec(host)}`)
  const ssh = host.kind === 'ssh' ? host : undefined
  const label = formatHostSpec(host)

  // sshd allows 10 sessions per connection by default (MaxSessions) and every command here is one
  // session on the shared master connection: reads that run at the same time wait for a slot
  // (locally, the cap only keeps a wide fan-out from starting hundreds of processes at once).
  const slots = new Slots(ssh === undefined ? 16 : MAX_SESSIONS_PER_HOST)
  // Asked once, before the first command opens the master connection (which fixes the cipher).
  let sshSettings: Promise<SshSettings> | undefined
  const resolved = (to: SshHost) => (sshSettings ??= chooseCiphers(runner, to, settings).then((ciphers) => (ciphers ? {...settings, ciphers} : settings)))

  async function exec(argv: readonly string[], options: ShellRunOptions = {}): Promise<RunResult> {
    const [command, ...args] = argv
    if (command === undefined) throw new TypeError('exec needs a command')
    const result =
      ssh === undefined
        ? await slots.run(() => runner.run(command, args, {...options, allowFailure: true, hostLabel: label}))
        : await slots.run(async () => runner.run('ssh', sshCommandArgs(ssh, await resolved(ssh), argv), {...options, allowFailure: true, hostLabel: label}))

    if (host.kind === 'ssh') {
      const connectionError = classifySshFailure(result.exitCode, result.stderr, label)
      if (connectionError) throw connectionError
    }
    const ok = result.exitCode === 0 && !result.timedOut && !result.canceled
    if (ok || options.allowFailure) return result
    if (result.exitCode === 127) {
      throw new MissingToolError(label, missingCommandName(result.stderr) ?? (command === 'sh' ? 'a command' : command))
    }
    throw toExternalError({...result, command, args}, runner.redactor, label, options.timeoutMs)
  }

  return {
    host,
    label,
    exec,
    script: (body, args = [], options) => exec(['sh', '-c', body, 'sh', ...args], options),
  }
}

/** Commands in flight at once on one ssh host (below sshd's default MaxSessions of 10). */
export const MAX_SESSIONS_PER_HOST = 8

/** A counting semaphore: at most `size` tasks run at once, the others start in arrival order. */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []

  constructor(size: number) {
    this.free = size
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    try {
      return await task()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}
