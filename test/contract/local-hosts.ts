// Two fake hypervisor "hosts" on this machine, for the driver contract tests that run in the unit
// project (no namespace hosts). The drivers get ordinary ssh HostSpecs (`src.fake`, `dst.fake`); a
// ShellPool subclass runs their commands locally with that host's environment (its own HOME and
// fake-CLI state dir, the fakes first on PATH). The fakes' guest IPs (127.0.0.2 / 127.0.0.3) map
// to local shells too, with OCVM_TEST_GUEST=source|target, so a test can tell which "guest" ran a
// command. Only the network hop is replaced; every driver command runs the fake CLI for real.
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import type {Context} from '../../src/context.js'
import {createRunner} from '../../src/exec/runner.js'
import {formatHostSpec, type HostSpec} from '../../src/hosts/host-spec.js'
import {createShell, ShellPool, type Shell} from '../../src/hosts/shell.js'
import {silentReporter} from '../../src/output/reporter.js'
import {REPO_ROOT} from '../helpers/process.js'

export const FAKES_DIR = path.join(REPO_ROOT, 'test/fakes')
export const GUEST_IPS = {source: '127.0.0.2', target: '127.0.0.3'} as const
export type Side = keyof typeof GUEST_IPS

export interface LocalHosts {
  source: HostSpec
  target: HostSpec
  ctx: Context
  /** Each side's HOME (fake state lives below it, or in the dirs of `env`). */
  home: Record<Side, string>
  /** Per-side environment, mutable: tests set injections (OCVM_FAKE_*_INJECT) here. */
  env: Record<Side, Record<string, string>>
  cleanup(): void
}

class MappedShellPool extends ShellPool {
  constructor(private readonly map: (host: HostSpec) => Shell | undefined, runner: ReturnType<typeof createRunner>) {
    super({runner, ssh: {controlDir: tmpdir()}})
  }

  override get(host: HostSpec): Shell {
    const shell = this.map(host)
    if (!shell) throw new Error(`local contract hosts: no host ${formatHostSpec(host)}`)
    return shell
  }
}

function envShell(host: HostSpec, runner: ReturnType<typeof createRunner>, env: () => Record<string, string>): Shell {
  const base = createShell({kind: 'local'}, runner, {controlDir: tmpdir()})
  const exec: Shell['exec'] = (argv, options = {}) => base.exec(argv, {...options, env: {...env(), ...options.env}})
  return {host, label: formatHostSpec(host), exec, script: (body, args = [], options) => exec(['sh', '-c', body, 'sh', ...args], options)}
}

/** `extraEnv(side, home)` adds the fake's own variables (state dirs, guest IP). */
export function localHosts(extraEnv: (side: Side, home: string) => Record<string, string>, options: {log?: (line: string) => void} = {}): LocalHosts {
  const root = mkdtempSync(path.join(tmpdir(), 'ocvm-contract-'))
  const runner = createRunner({log: options.log})
  const home = {source: path.join(root, 'src-home'), target: path.join(root, 'dst-home')}
  for (const dir of Object.values(home)) mkdirSync(dir, {recursive: true})
  const PATH = `${FAKES_DIR}:${process.env.PATH}`
  const env = {
    source: {HOME: home.source, PATH, ...extraEnv('source', home.source)},
    target: {HOME: home.target, PATH, ...extraEnv('target', home.target)},
  }
  const source: HostSpec = {kind: 'ssh', host: 'src.fake'}
  const target: HostSpec = {kind: 'ssh', host: 'dst.fake'}
  const shells = {
    'src.fake': envShell(source, runner, () => env.source),
    'dst.fake': envShell(target, runner, () => env.target),
    [GUEST_IPS.source]: envShell({kind: 'ssh', host: GUEST_IPS.source}, runner, () => ({...env.source, OCVM_TEST_GUEST: 'source'})),
    [GUEST_IPS.target]: envShell({kind: 'ssh', host: GUEST_IPS.target}, runner, () => ({...env.target, OCVM_TEST_GUEST: 'target'})),
  } as Record<string, Shell>
  const pool = new MappedShellPool((h) => (h.kind === 'ssh' ? shells[h.host] : undefined), runner)
  return {
    source,
    target,
    home,
    env,
    ctx: {runner, shells: pool, reporter: silentReporter},
    cleanup: () => rmSync(root, {recursive: true, force: true}),
  }
}

/** Runs `fn` with `vars` added to (or replacing) one side's environment, then restores it. */
export async function withEnv(hosts: LocalHosts, side: Side, vars: Record<string, string>, fn: () => Promise<void>): Promise<void> {
  const saved = {...hosts.env[side]}
  Object.assign(hosts.env[side], vars)
  try {
    await fn()
  } finally {
    for (const k of Object.keys(hosts.env[side])) delete hosts.env[side][k]
    Object.assign(hosts.env[side], saved)
  }
}
