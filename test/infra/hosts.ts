// Helpers for integration tests that run against the sshd "hosts" started by test/infra/hosts.sh.
//
// The hosts share this machine's filesystem except for a few private directories per host
// (see `privateDirs` in infra.json). Their contents are reachable from the test process at
// `hostFsPath(host, '/home/alice/...')`, which is handy for setting up and checking state without
// going through ssh.
//
// Note: root's home (/root) is NOT private: anything run as root on a host that writes to ~ writes
// to the real /root of this machine. Use the test users (alice, bob) for per-host state in $HOME.
import {chmodSync, chownSync, existsSync, lstatSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import path from 'node:path'

import {runCli, type CliResult} from '../helpers/cli.js'
import {REPO_ROOT, run, type ExecOptions, type ExecResult} from '../helpers/process.js'

export {REPO_ROOT, run}
export type {ExecOptions, ExecResult} from '../helpers/process.js'

export interface InfraHost {
  name: string
  ip: string
  /** Root-namespace directory holding this host's private dirs (fsRoot + '/home' is its /home). */
  fsRoot: string
  /** Whether `openclaw` is on this host's PATH (/usr/local/bin). */
  openclaw: boolean
}

export interface InfraInfo {
  root: string
  sshConfig: string
  /** `exec ssh -F <sshConfig> "$@"`, for tools that take an ssh command (rsync -e, libvirt). */
  sshWrap: string
  clientKey: string
  cacheDir: string
  /** Wrapper that runs the real OpenClaw CLI with its own Node 24. */
  openclaw: string
  /** Every non-root login user (the macOS-like ones included). */
  users: string[]
  /** Users laid out like macOS accounts: home /Users/<name>, primary group staff. */
  macUsers?: string[]
  privateDirs: string[]
  hosts: InfraHost[]
}

declare module 'vitest' {
  export interface ProvidedContext {
    ocvmInfra: InfraInfo
  }
}


export function infraRoot(): string {
  return process.env.OCVM_INFRA_ROOT || '/var/lib/ocvm-test'
}

export function infraJsonPath(): string {
  return path.join(infraRoot(), 'infra.json')
}

let cached: InfraInfo | undefined

/** Reads $OCVM_INFRA_ROOT/infra.json, written by `hosts.sh up` (run by the global setup). */
export function infra(): InfraInfo {
  if (cached) return cached
  let text: string
  try {
    text = readFileSync(infraJsonPath(), 'utf8')
  } catch (error) {
    throw new Error(
      `test infra is not up (${infraJsonPath()} unreadable: ${(error as Error).message}); ` +
        'run `bash test/infra/hosts.sh up` or use the vitest "integration" project',
    )
  }
  cached = JSON.parse(text) as InfraInfo
  return cached
}

export function hostNames(): string[] {
  return infra().hosts.map((h) => h.name)
}

export function host(name: string): InfraHost {
  const h = infra().hosts.find((x) => x.name === name)
  if (!h) throw new Error(`unknown test host ${name}; known: ${hostNames().join(', ')}`)
  return h
}

export function hostIp(name: string): string {
  return host(name).ip
}

/** The two default hosts, for readability in tests. */
export const SRC = 'ocvm-src'
export const DST = 'ocvm-dst'

/**
 * Path, in the test process's (root) namespace, of `absPath` as seen inside host `name`.
 * Only works for paths inside the host's private dirs (everything else is shared, so the path is
 * just `absPath`); throws otherwise so a test can't silently look at the wrong file.
 */
export function hostFsPath(name: string, absPath: string): string {
  if (!path.posix.isAbsolute(absPath)) throw new Error(`hostFsPath needs an absolute path, got ${absPath}`)
  const normalized = path.posix.normalize(absPath).replace(/\/+$/, '') || '/'
  const dir = infra().privateDirs.find((d) => normalized === d || normalized.startsWith(d + '/'))
  if (!dir) {
    throw new Error(
      `${absPath} is not in a per-host directory of ${name} (${infra().privateDirs.join(', ')}); ` +
        'it is shared with the test machine',
    )
  }
  return path.join(host(name).fsRoot, normalized)
}

/** Home of a test user on every host: /Users/<name> for the macOS-like users, else /home/<name>. */
export function userHome(user: string): string {
  return (infra().macUsers ?? []).includes(user) ? `/Users/${user}` : `/home/${user}`
}

/** Numeric ids of a test user; /etc/passwd is shared, so they are the same on every host. */
export function hostUserId(user: string): {uid: number; gid: number} {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(user + ':'))
  if (!line) throw new Error(`no such user: ${user}`)
  const [, , uid, gid] = line.split(':')
  return {uid: Number(uid), gid: Number(gid)}
}

export function openclawCli(): string {
  return infra().openclaw
}

/** Single-quotes a string for a POSIX shell (for building remote commands). */
export function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`
}

export interface SshOptions extends ExecOptions {
  /** Log in as this user instead of root. */
  user?: string
}

/** Runs `cmd` (a shell command line) on a test host over ssh. Does not throw on a non-zero exit. */
export function sshExec(hostName: string, cmd: string, options: SshOptions = {}): Promise<ExecResult> {
  const target = options.user ? `${options.user}@${hostName}` : hostName
  return run('ssh', ['-F', infra().sshConfig, target, cmd], options)
}

/** Like sshExec, but throws (with the output) unless the command exits 0; returns stdout. */
export async function sshCheck(hostName: string, cmd: string, options: SshOptions = {}): Promise<string> {
  const r = await sshExec(hostName, cmd, options)
  if (r.exitCode !== 0) {
    throw new Error(`ssh ${hostName} ${cmd} exited ${r.exitCode}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`)
  }
  return r.stdout
}

/**
 * Runs the ocvm CLI (`node bin/run.js ...args`) from the repo root, with OCVM_SSH_CONFIG pointing at
 * the test hosts' ssh config unless options.env overrides it.
 */
export function runOcvm(args: string[], options: ExecOptions = {}): Promise<CliResult> {
  return runCli(args, {...options, env: {OCVM_SSH_CONFIG: infra().sshConfig, ...options.env}})
}

/**
 * Puts every host back to its freshly started state, so integration test files do not see each
 * other's deployments: the test users' processes are killed, their homes emptied (keeping .ssh),
 * and the other per-host dirs (/etc/..., spool, /Library) emptied. /usr/local/bin (the openclaw link) is kept.
 */
export async function resetHosts(): Promise<void> {
  const {hosts, users, privateDirs} = infra()
  for (const user of users) await run('pkill', ['-KILL', '-u', user])
  const homes = new Set(users.map(userHome))
  for (const h of hosts) {
    for (const dir of privateDirs) {
      if (dir === '/usr/local/bin') continue
      const root = path.join(h.fsRoot, dir)
      if (!existsSync(root)) continue
      for (const entry of readdirSync(root)) {
        const home = path.posix.join(dir, entry)
        if (!homes.has(home)) {
          rmSync(path.join(root, entry), {recursive: true, force: true})
          continue
        }
        // A test user's home (in /home, or /Users for the macOS-like ones): emptied, .ssh kept.
        // The permissions hook makes homes 700; tests expect the fresh useradd mode.
        chmodSync(path.join(root, entry), 0o755)
        for (const e of readdirSync(path.join(root, entry))) if (e !== '.ssh') rmSync(path.join(root, entry, e), {recursive: true, force: true})
      }
    }
  }
}

/** chown -R in the test process's view of a host, to that host's uid/gid of `user`. */
export function chownTree(root: string, user: string): void {
  const {uid, gid} = hostUserId(user)
  const walk = (p: string) => {
    chownSync(p, uid, gid)
    if (lstatSync(p).isDirectory()) for (const e of readdirSync(p)) walk(path.join(p, e))
  }
  walk(root)
}
