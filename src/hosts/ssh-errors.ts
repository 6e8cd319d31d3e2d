import {HostAuthError, HostUnreachableError, type OcvmError} from '../errors.js'

// What OpenSSH prints (exit 255) when the connection itself fails, as opposed to the remote command.
const UNREACHABLE: Array<[RegExp, string]> = [
  [/Could not resolve hostname[^\n]*/i, 'the host name does not resolve'],
  [/Connection refused/i, 'connection refused (is sshd running, is the port right?)'],
  [/Connection timed out|Operation timed out|timed out during banner exchange/i, 'connection timed out'],
  [/No route to host/i, 'no route to host'],
  [/Network is unreachable/i, 'network is unreachable'],
  [/Connection closed by remote host|Connection reset by peer|kex_exchange_identification/i, 'the connection was closed by the remote host'],
  [/Broken pipe|client_loop: send disconnect/i, 'the connection dropped'],
]
const AUTH: Array<[RegExp, string]> = [
  [/Host key verification failed/i, 'the host key is unknown or has changed'],
  [/Permission denied \(/i, 'permission denied (no accepted key)'],
  [/Too many authentication failures/i, 'too many authentication failures'],
  [/account is locked|not allowed because/i, 'the account is locked or not allowed to log in'],
]

/** Maps a failed ssh invocation to a user-facing error, or undefined when the remote command failed. */
export function classifySshFailure(exitCode: number, stderr: string, hostLabel: string): OcvmError | undefined {
  if (exitCode !== 255) return undefined
  for (const [re, reason] of AUTH) if (re.test(stderr)) return new HostAuthError(hostLabel, reason)
  for (const [re, reason] of UNREACHABLE) if (re.test(stderr)) return new HostUnreachableError(hostLabel, reason)
  if (/^ssh: /m.test(stderr)) return new HostUnreachableError(hostLabel, stderr.trim().split('\n').pop() ?? 'ssh failed')
  return undefined
}

/** `sh: 1: zstd: not found`, `bash: zstd: command not found`, `zsh: command not found: zstd`. */
export function missingCommandName(stderr: string): string | undefined {
  const m =
    /(?:^|\n)[^\n]*?:\s*(?:\d+:\s*)?([^\s:]+): (?:command )?not found/.exec(stderr) ??
    /command not found: ([^\s]+)/.exec(stderr)
  return m?.[1]
}
