/**
 * The closed set of errors ocvm shows to users. Every one carries a hint that says what to do next
 * and maps to one exit code. Nothing below the command layer catches and swallows them.
 *
 * The set is closed: a new user-facing failure gets a class here, not a `new OcvmError('<code>', …)`
 * at the site nor a subclass elsewhere. (One-off codes from before this rule are still built in
 * place; one that comes to be thrown from several places moves here.) Every class is exported from
 * `ocvm` (the plugin API), so built-in and third-party drivers throw the same ones: `VmNotFoundError`,
 * `VmExistsError`, `VmStateError`, `UnexpectedOutputError`, `HypervisorUnavailableError` for
 * hypervisor situations. Codes are part of the interface (journals, `--json` consumers, tests read
 * them): a class may gain optional parameters, its code never changes. A module's internal error
 * classes (a parser's own `Error` subclass) are caught by its callers and turned into one of these,
 * or into a report entry; anything else that reaches the command layer is shown as a `BugError`.
 */

export const EXIT_CODES = {ok: 0, failed: 1, usage: 2, partial: 3, cancelled: 130} as const
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

export interface OcvmErrorOptions {
  hint?: string
  exitCode?: ExitCode
  cause?: unknown
  details?: Record<string, unknown>
}

export class OcvmError extends Error {
  readonly code: string
  readonly hint: string | undefined
  readonly exitCode: ExitCode
  readonly details: Record<string, unknown>

  constructor(code: string, message: string, options: OcvmErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause})
    this.name = new.target.name
    this.code = code
    this.hint = options.hint
    this.exitCode = options.exitCode ?? EXIT_CODES.failed
    this.details = options.details ?? {}
  }

  toJSON(): Record<string, unknown> {
    return {code: this.code, message: this.message, hint: this.hint, exitCode: this.exitCode, ...this.details}
  }
}

/**
 * Bad flags, arguments or host specs: the user typed something we cannot act on. `details` names
 * what was wrong for `--json` readers (`{flags: ['on']}`, `{args: ['file']}`).
 */
export class UsageError extends OcvmError {
  constructor(message: string, hint?: string, details?: Record<string, unknown>) {
    super('usage', message, {hint, exitCode: EXIT_CODES.usage, ...(details ? {details} : {})})
  }
}

/** The user answered no when asked to proceed; `what` is `migration` or `import`. Nothing was changed. */
export class AbortedError extends OcvmError {
  constructor(what: string) {
    super('aborted', `${what} cancelled; nothing was changed`, {hint: 'Run again and answer y, or pass --yes.'})
  }
}

/**
 * The run was interrupted (Ctrl-C, SIGTERM): what was in flight was stopped. Exit 130, as a shell
 * reports a command ended by SIGINT. `what`: where it stopped and what the cleanup did.
 */
export class CancelledError extends OcvmError {
  constructor(what: string, hint?: string) {
    super('cancelled', what, {exitCode: EXIT_CODES.cancelled, ...(hint ? {hint} : {})})
  }
}

export class HostUnreachableError extends OcvmError {
  constructor(host: string, reason: string) {
    super('host-unreachable', `cannot reach ${host}: ${reason}`, {
      hint: `Check that ${host} is up and that \`ssh ${host} true\` works from this machine (address, port, firewall, VPN/Tailscale).`,
      details: {host},
    })
  }
}

export class HostAuthError extends OcvmError {
  constructor(host: string, reason: string) {
    super('host-auth', `ssh authentication to ${host} failed: ${reason}`, {
      hint: `ocvm runs ssh non-interactively: load your key into ssh-agent or set IdentityFile for ${host} in ~/.ssh/config (or --ssh-config), and accept the host key once with \`ssh ${host}\`.`,
      details: {host},
    })
  }
}

export class MissingToolError extends OcvmError {
  constructor(host: string, tool: string, hint?: string) {
    super('missing-tool', `\`${tool}\` is not installed (or not on PATH) on ${host}`, {
      hint: hint ?? `Install ${tool} on ${host} (Debian/Ubuntu: apt-get install ${tool}; macOS: brew install ${tool}).`,
      details: {host, tool},
    })
  }
}

export class PermissionDeniedError extends OcvmError {
  constructor(host: string, path: string) {
    super('permission-denied', `permission denied reading ${path} on ${host}`, {
      hint: `Connect as the deployment's owner (--user only selects whose deployment to read) or as root, e.g. --from root@host.`,
      details: {host, path},
    })
  }
}

export class DeploymentNotFoundError extends OcvmError {
  constructor(host: string, readonly tried: string[]) {
    super('deployment-not-found', `no OpenClaw deployment found on ${host} (looked in ${tried.join(', ')})`, {
      hint: 'Point ocvm at it with --state-dir DIR, --profile NAME or --user USER (the OS user that runs the gateway).',
      details: {host, tried},
    })
  }
}

/** A config file that OpenClaw itself would refuse: syntax errors, bad `$include`s. */
export class ConfigError extends OcvmError {
  constructor(message: string, options: {file: string; line?: number; column?: number; hint?: string}) {
    const where = options.line === undefined ? options.file : `${options.file}:${options.line}:${options.column ?? 1}`
    super('config-invalid', `${where}: ${message}`, {
      hint: options.hint ?? 'Fix the file (OpenClaw would refuse to start with it), then run the command again.',
      details: {file: options.file, line: options.line, column: options.column},
    })
  }
}

/** An external program failed. argv and stderr are redacted before they get here. */
export class ExternalCommandError extends OcvmError {
  constructor(options: {command: string; args: string[]; exitCode: number | undefined; stderrTail: string; host?: string; hint?: string; reason?: string}) {
    const last = options.stderrTail.trim().split('\n').pop() ?? ''
    const what = options.reason ?? (options.exitCode === undefined ? 'failed to run' : `exited with code ${options.exitCode}`)
    super('external-command', `${options.command} ${what}${options.host ? ` on ${options.host}` : ''}${last ? `: ${last}` : ''}`, {
      hint: options.hint ?? 'Run again with --verbose to see the commands ocvm runs.',
      details: {command: options.command, args: options.args, exitCode: options.exitCode, stderrTail: options.stderrTail, host: options.host},
    })
  }
}

export class DriverNotFoundError extends OcvmError {
  constructor(name: string, known: string[]) {
    super('driver-not-found', `unknown driver "${name}"`, {
      hint: `Known drivers: ${known.join(', ')}. \`ocvm drivers list\` shows them; third-party drivers install with \`ocvm plugins install ocvm-driver-<name>\`.`,
      exitCode: EXIT_CODES.usage,
      details: {driver: name, known},
    })
  }
}

export class UnsupportedError extends OcvmError {
  constructor(message: string, hint?: string) {
    super('unsupported', message, {hint})
  }
}

/** A plugin was built for another driver/hook API version: refused, never half-loaded. */
export class PluginIncompatibleError extends OcvmError {
  constructor(options: {plugin: string; what: string; pluginApiVersion: unknown; ocvmApiVersion: number}) {
    super('plugin-incompatible', `${options.plugin}: ${options.what} is built for API version ${String(options.pluginApiVersion)}, this ocvm speaks API version ${options.ocvmApiVersion}`, {
      hint: `Install a release of ${options.plugin} made for ocvm's API version ${options.ocvmApiVersion} (\`ocvm plugins install ${options.plugin}@<version>\`), or remove it with \`ocvm plugins uninstall ${options.plugin}\`.`,
      details: {plugin: options.plugin, pluginApiVersion: options.pluginApiVersion, ocvmApiVersion: options.ocvmApiVersion},
    })
  }
}

/** A plugin misbehaved (threw something that is not an OcvmError, answered garbage): named, so the user knows whom to ask. */
export class PluginError extends OcvmError {
  constructor(plugin: string, message: string, cause?: unknown) {
    super('plugin-failed', `plugin ${plugin}: ${message}`, {
      hint: `This comes from the plugin ${plugin}, not from ocvm: report it to its author, or remove it with \`ocvm plugins uninstall ${plugin}\`. --verbose shows the commands it ran.`,
      cause,
      details: {plugin},
    })
  }
}

// The hypervisor drivers' errors (built-in, libvirt included, and third-party alike). Each names the
// tool, the VM and the host, and carries a hint that says what to do next.

/**
 * A tool printed something its documented format does not allow (a new, unknown version): drift,
 * never guessed around. `host` is left out by pure parsers that do not know it; `options.hint`
 * replaces the default hint (for tools that are not hypervisor CLIs), `options.sample` keeps the
 * start of the output in the details (`--json`).
 */
export class UnexpectedOutputError extends OcvmError {
  constructor(tool: string, what: string, reason: string, host?: string, options: {hint?: string; sample?: string} = {}) {
    super('unexpected-output', `unexpected ${tool} output from \`${what}\`${host === undefined ? '' : ` on ${host}`}: ${reason}`, {
      hint: options.hint ?? `ocvm understands the ${tool} versions listed in \`ocvm drivers list\`; run with --verbose to see the raw output and report it with \`${tool} --version\`.`,
      details: {tool, command: what, host, ...(options.sample === undefined ? {} : {sample: options.sample})},
    })
  }
}

/** The tool has no VM of that name on the host; `where` narrows the host down (a libvirt URI). */
export class VmNotFoundError extends OcvmError {
  constructor(tool: string, name: string, host: string, listCommand: string, where?: string) {
    super('vm-not-found', `${tool} has no VM named "${name}" on ${host}${where ? ` (${where})` : ''}`, {
      hint: `\`${listCommand}\` on ${host} lists the VMs there; names are case-sensitive.`,
      details: {tool, vm: name, host},
    })
  }
}

/**
 * The VM is in a state the operation does not allow (running when it must be stopped, and so on).
 * `name` is undefined when the tool's refusal does not say which VM.
 */
export class VmStateError extends OcvmError {
  constructor(tool: string, name: string | undefined, host: string, message: string, hint: string) {
    super('vm-state', `${tool} VM${name === undefined ? '' : ` "${name}"`} on ${host}: ${message}`, {hint, details: {tool, vm: name, host}})
  }
}

/**
 * importVm / provisionLike refuse to overwrite: a VM (or its files) with that name already exists.
 * `hint` replaces the default one where --target-name is not the way out (a live move keeps the name).
 */
export class VmExistsError extends OcvmError {
  constructor(tool: string, name: string, host: string, where?: string, hint?: string) {
    super('vm-exists', `${tool} already has a VM named "${name}" on ${host}${where ? ` (${where})` : ''}; ocvm never overwrites one`, {
      hint: hint ?? 'Pick another name on the target (--target-name), or remove the existing VM there yourself if it is a leftover.',
      details: {tool, vm: name, host},
    })
  }
}

/** The hypervisor's service is not usable: daemon down, missing licence, wrong edition. */
export class HypervisorUnavailableError extends OcvmError {
  constructor(tool: string, host: string, reason: string, hint: string) {
    super('hypervisor-unavailable', `${tool} on ${host} is not usable: ${reason}`, {hint, details: {tool, host}})
  }
}

/** Something ocvm did not expect: a bug. Shown without a stack trace unless --verbose. */
export class BugError extends OcvmError {
  constructor(message: string, cause?: unknown) {
    super('bug', message, {hint: 'This is a bug in ocvm. Run again with --verbose and report the output.', cause})
  }
}

export function isOcvmError(error: unknown): error is OcvmError {
  return error instanceof OcvmError
}
