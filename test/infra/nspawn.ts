// Helpers for integration tests that need a host with a REAL systemd as PID 1 (enabled units,
// Restart=always, reboots): a Debian 12 container booted by systemd-nspawn, see test/infra/nspawn.sh.
//
// It sits on the same bridge as the sshd hosts of hosts.sh and is in the same ssh_config (the
// config includes one block per container), so everything that takes a host name works with it:
// sshExec/sshCheck from hosts.ts, and ocvm itself with `--from/--to root@<name>` (runOcvm sets
// OCVM_SSH_CONFIG). Users root, alice and bob; /usr/local/bin/openclaw is the real CLI.
//
// Unlike the hosts.sh hosts, it shares nothing with the test machine but the read-only
// provision cache: its own /etc, /root, /home, users (uids need not match the machine's) and pid
// namespace. Start it in beforeAll and stop it in afterAll of the test file that uses it (~2-3 s
// each; a reboot ~2-4 s). The global teardown (hosts.sh down) also stops any that are left.
import {readFileSync} from 'node:fs'
import path from 'node:path'

import {infraRoot, REPO_ROOT, run, sshExec, type ExecResult, type SshOptions} from './hosts.js'

const SCRIPT = path.join(REPO_ROOT, 'test/infra/nspawn.sh')

export interface SystemdHost {
  name: string
  ip: string
  /** This container's ssh_config block (also included by infra().sshConfig). */
  sshConfig: string
  /** $OCVM_INFRA_ROOT/nspawn/<name>: pids, console.log (boot messages), known_hosts. */
  stateDir: string
  /** The container's root file system as seen from the test process (`root + '/etc/...'`). */
  root: string
}

export interface StartSystemdHostOptions {
  /** Fixed address on 10.250.0.0/24; default: the first of 10.250.0.20-49 no other container uses. */
  ip?: string
  /** Default 300 s: the first start may have to build the cached root (~1 min). */
  timeoutMs?: number
}

async function nspawn(args: string[], timeoutMs: number): Promise<ExecResult> {
  const r = await run('bash', [SCRIPT, ...args], {timeoutMs})
  if (r.exitCode !== 0) {
    throw new Error(`bash test/infra/nspawn.sh ${args.join(' ')} exited ${r.exitCode}\n${r.stdout}${r.stderr}`)
  }
  return r
}

/** The info nspawn.sh wrote for a running (or at least started) container. */
export function systemdHost(name: string): SystemdHost {
  const file = path.join(infraRoot(), 'nspawn', name, 'info.json')
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SystemdHost
  } catch (error) {
    throw new Error(`systemd host ${name} is not up (${file}: ${(error as Error).message})`)
  }
}

/**
 * Boots container `name` (idempotent: a healthy running one is kept) and resolves once systemd in it
 * is `running` (or `degraded`) and root, alice and bob can log in over ssh.
 */
export async function startSystemdHost(name: string, options: StartSystemdHostOptions = {}): Promise<SystemdHost> {
  await nspawn(['up', name, ...(options.ip ? ['--ip', options.ip] : [])], options.timeoutMs ?? 300_000)
  return systemdHost(name)
}

/**
 * `systemctl reboot` inside, then waits for the new boot (systemd running/degraded, ssh works).
 * The disk survives; processes do not. Resolves with the wall time it took.
 */
export async function rebootSystemdHost(name: string, options: {timeoutMs?: number} = {}): Promise<{seconds: number}> {
  const t0 = Date.now()
  await nspawn(['reboot', name], options.timeoutMs ?? 180_000)
  return {seconds: (Date.now() - t0) / 1000}
}

/** Powers the container off (killed by pid if it hangs) and deletes its state. No-op if not up. */
export async function stopSystemdHost(name: string, options: {timeoutMs?: number} = {}): Promise<void> {
  await nspawn(['down', name], options.timeoutMs ?? 120_000)
}

/** `nspawn.sh status`: true if the container is booted and ssh works. */
export async function systemdHostIsUp(name: string): Promise<boolean> {
  return (await run('bash', [SCRIPT, 'status', name], {timeoutMs: 30_000})).exitCode === 0
}

/** Runs a shell command line on the container over ssh (as root, or options.user). Never throws on exit codes. */
export function sshOn(name: string, command: string, options: SshOptions = {}): Promise<ExecResult> {
  return sshExec(name, command, options)
}

/** Host spec for ocvm's --from/--to (with OCVM_SSH_CONFIG = infra().sshConfig, as runOcvm sets it). */
export function hostSpec(name: string, user = 'root'): string {
  return `${user}@${name}`
}
