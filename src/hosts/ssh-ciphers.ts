import {readFileSync} from 'node:fs'

import type {Runner} from '../exec/runner.js'
import {sshBaseArgs, type SshHost, type SshSettings} from './ssh-argv.js'

/**
 * OpenSSH's default ciphers, AES-GCM first. OpenSSH prefers ChaCha20-Poly1305, which is fastest
 * without AES instructions; with them (every x86-64 server of the last decade, Apple silicon)
 * AES-GCM costs about half the CPU per byte, and a disk or state stream is bound by that CPU at
 * both ends and on this machine, which relays it. Same set, so no server that accepts the
 * defaults is refused.
 */
export const FAST_CIPHERS = 'aes128-gcm@openssh.com,aes256-gcm@openssh.com,chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr'

/** Pure: the `ciphers` line of `ssh -G` output. */
export function resolvedCiphers(sshG: string): string | undefined {
  return /^ciphers (\S+)$/m.exec(sshG)?.[1]
}

/** Pure: whether /proc/cpuinfo lists AES instructions (x86 `aes` flag, arm64 `aes` feature). */
export function cpuHasAes(cpuinfo: string): boolean {
  return /^(flags|Features)\s*:.*\baes\b/m.test(cpuinfo)
}

function localCpuHasAes(): boolean {
  if (process.platform !== 'linux') return true
  try {
    return cpuHasAes(readFileSync('/proc/cpuinfo', 'utf8'))
  } catch {
    return true
  }
}

/**
 * The `Ciphers` ocvm asks for on this host: FAST_CIPHERS when the CPU has AES instructions and
 * neither the user's nor the system's ssh config chose ciphers (what `ssh -G` resolves for the host
 * equals what it resolves with no config at all); otherwise none, and ssh's own choice stands.
 */
export async function chooseCiphers(runner: Runner, host: SshHost, settings: SshSettings): Promise<string | undefined> {
  if (!localCpuHasAes()) return undefined
  const [configured, plain] = await Promise.all([
    runner.run('ssh', ['-G', ...sshBaseArgs(host, settings), '--', host.host], {allowFailure: true, timeoutMs: 10_000}),
    runner.run('ssh', ['-G', '-F', '/dev/null', '--', host.host], {allowFailure: true, timeoutMs: 10_000}),
  ])
  if (configured.exitCode !== 0 || plain.exitCode !== 0) return undefined
  const chosen = resolvedCiphers(configured.stdout)
  return chosen !== undefined && chosen === resolvedCiphers(plain.stdout) ? FAST_CIPHERS : undefined
}
