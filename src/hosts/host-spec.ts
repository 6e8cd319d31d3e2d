import {UsageError} from '../errors.js'

/** Where a command runs: this machine, or a host reached through the system OpenSSH client. */
export type HostSpec = {kind: 'local'} | SshHostSpec | GuestHostSpec
export type SshHostSpec = {kind: 'ssh'; host: string; user?: string; port?: number}
/**
 * A guest reached through its hypervisor's native exec (no ssh): only usable once the driver has
 * registered its shell in the command run's ShellPool. Written `guest:<driver>/<vm>@<host>`.
 */
export type GuestHostSpec = {kind: 'guest'; id: string}

export const LOCAL: HostSpec = {kind: 'local'}

const HOST_SYNTAX = 'local, ssh://[user@]host[:port] or [user@]host'
// Host names, IPv4, ssh_config aliases; IPv6 only inside brackets. Never a leading '-' (ssh option injection).
const HOST_RE = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?|\[[0-9A-Fa-f:.%a-z]+\])$/
const USER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/

function bad(input: string, why: string): UsageError {
  return new UsageError(`invalid host "${input}": ${why}`, `Give a host as ${HOST_SYNTAX}, for example ssh://openclaw@server.example:2222.`)
}

/** Parses `local`, `ssh://[user@]host[:port]` or `[user@]host`. */
export function parseHostSpec(input: string): HostSpec {
  const raw = input.trim()
  if (raw === '' || raw === 'local') return LOCAL
  if (raw.startsWith('guest:') && raw.length > 'guest:'.length) return {kind: 'guest', id: raw.slice('guest:'.length)}
  let match: RegExpExecArray | null
  if (raw.startsWith('ssh://')) {
    match = /^(?:([^@/]*)@)?(\[[^\]]*\]|[^:/@]*)(?::(\d*))?\/?$/.exec(raw.slice('ssh://'.length))
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw bad(input, 'only ssh:// URLs are supported')
  } else {
    match = /^(?:([^@]*)@)?([^@]*)$/.exec(raw)
  }
  if (!match) throw bad(input, 'cannot parse it')
  const [, user, host = '', portText] = match
  if (user !== undefined && !USER_RE.test(user)) throw bad(input, `"${user}" is not a valid user name`)
  if (!HOST_RE.test(host)) throw bad(input, host === '' ? 'the host name is missing' : `"${host}" is not a valid host name`)
  let port: number | undefined
  if (portText !== undefined) {
    port = Number(portText)
    if (portText === '' || !Number.isInteger(port) || port < 1 || port > 65_535) throw bad(input, `port "${portText}" is not a number from 1 to 65535`)
  }
  // ssh takes a bare IPv6 address (`ssh -- ::1`); `[::1]` would be looked up as a host name.
  const bare = host.startsWith('[') ? host.slice(1, -1) : host
  return {kind: 'ssh', host: bare, ...(user === undefined ? {} : {user}), ...(port === undefined ? {} : {port})}
}

export function formatHostSpec(spec: HostSpec): string {
  if (spec.kind === 'local') return 'local'
  if (spec.kind === 'guest') return `guest:${spec.id}`
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host
  return `ssh://${spec.user ? `${spec.user}@` : ''}${host}${spec.port ? `:${spec.port}` : ''}`
}
