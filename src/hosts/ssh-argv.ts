import {shellJoin} from '../exec/quote.js'
import type {HostSpec} from './host-spec.js'

export interface SshSettings {
  /** Passed as `-F` (from --ssh-config or OCVM_SSH_CONFIG). */
  configFile?: string
  /** Directory for ControlMaster sockets; must be short (socket paths are limited to ~104 bytes). */
  controlDir: string
  connectTimeoutSec?: number
  /** How long an idle master connection stays up after the last command. */
  controlPersistSec?: number
  /** `-o Ciphers=` (see ssh-ciphers.ts); absent: ssh's own choice. */
  ciphers?: string
}

export type SshHost = Extract<HostSpec, {kind: 'ssh'}>

/** Options shared by every ssh invocation: non-interactive, multiplexed over one connection per host. */
export function sshBaseArgs(host: SshHost, settings: SshSettings): string[] {
  const args: string[] = []
  if (settings.configFile) args.push('-F', settings.configFile)
  args.push(
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${settings.connectTimeoutSec ?? 15}`,
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=4',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${settings.controlDir}/%C`,
    '-o', `ControlPersist=${settings.controlPersistSec ?? 60}`,
  )
  if (settings.ciphers !== undefined) args.push('-o', `Ciphers=${settings.ciphers}`)
  if (host.port !== undefined) args.push('-p', String(host.port))
  if (host.user !== undefined) args.push('-l', host.user)
  return args
}

/** `ssh … -- host 'quoted argv'`: the remote login shell sees one correctly quoted command line. */
export function sshCommandArgs(host: SshHost, settings: SshSettings, remoteArgv: readonly string[]): string[] {
  return [...sshBaseArgs(host, settings), '--', host.host, shellJoin(remoteArgv)]
}

/** Asks the master connection for this host to exit (used when ocvm is done with a host). */
export function sshControlExitArgs(host: SshHost, settings: SshSettings): string[] {
  return [...sshBaseArgs(host, settings), '-O', 'exit', '--', host.host]
}
