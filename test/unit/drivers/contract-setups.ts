import {execFileSync} from 'node:child_process'
import {createHash} from 'node:crypto'
import {readdirSync} from 'node:fs'
import {mkdir, mkdtemp, readdir, readFile, rm, stat, symlink} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {FAKES_DIR, GUEST_IPS, localHosts, type LocalHosts} from '../../contract/local-hosts.js'
import {stageLocally, writeAt} from '../../contract/stage-local.js'

import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createTestContext, type DriverContractHarness, type DriverContractSetup, type DriverContractWorld} from '../../../src/testing/index.js'

// One contract setup per built-in driver. builtin-contract.test.ts fails for a built-in without an
// entry here, so a new driver cannot skip the contract: add its world (fake CLI on PATH, or the real
// tool) and, for an image driver, its harness (two hosts).

async function localWorld(env?: Record<string, string>): Promise<DriverContractWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocvm-contract-'))
  const {ctx, close} = createTestContext(env ? {env: {...env}} : {})
  return {
    host: LOCAL,
    ctx,
    // The file driver's probe may only look: the scratch dir it could write to stays empty.
    observe: async () => (await readdir(dir)).sort(),
    cleanup: async () => {
      await close()
      await rm(dir, {recursive: true, force: true})
    },
  }
}

/** PATH with only the given tools (symlinks to the real ones): "tar is not installed". */
async function pathWith(tools: string[]): Promise<{dir: string; env: Record<string, string>}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocvm-path-'))
  for (const tool of tools) {
    const real = ['/usr/bin', '/bin'].map((d) => path.join(d, tool))
    for (const candidate of real) {
      try {
        await symlink(candidate, path.join(dir, tool))
        break
      } catch {}
    }
  }
  return {dir, env: {PATH: dir}}
}

export const CONTRACT_SETUPS: Record<string, DriverContractSetup> = {
  file: {
    world: () => localWorld(),
    async worldWithoutTool() {
      const {dir, env} = await pathWith(['sh', 'find', 'awk', 'head'])
      const world = await localWorld(env)
      return {...world, cleanup: async () => {
        await world.cleanup?.()
        await rm(dir, {recursive: true, force: true})
      }}
    },
  },
}

// Lume, Parallels, Multipass: their fake CLIs (test/fakes/) first on PATH, with state under a
// fresh HOME; the world holds one running and one stopped VM made with the fake's own commands.

/** Every file under `root`: size, and content hash for small ones (fake state, configs). */
async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, rel), {withFileTypes: true})) {
      const r = path.join(rel, entry.name)
      if (entry.isDirectory()) await walk(r)
      else {
        const st = await stat(path.join(root, r))
        out[r] = st.size < 1024 * 1024 ? createHash('sha256').update(await readFile(path.join(root, r))).digest('hex') : `${st.size}@${st.mtimeMs}`
      }
    }
  }
  await walk('')
  return out
}

function fakeWorldSetup(tool: 'lume' | 'prlctl' | 'multipass', makeVm: (run: (...args: string[]) => void, name: string, running: boolean) => void): DriverContractSetup {
  const make = async (withTool: boolean): Promise<DriverContractWorld> => {
    const root = await mkdtemp(path.join(tmpdir(), `ocvm-contract-${tool}-`))
    const home = path.join(root, 'home')
    await mkdir(home)
    const env = {HOME: home, PATH: withTool ? `${FAKES_DIR}:${process.env.PATH}` : '/usr/bin:/bin', OCVM_FAKE_LUME_GUEST_IP: '127.0.0.1', OCVM_FAKE_PRL_GUEST_IP: '127.0.0.1', OCVM_FAKE_MULTIPASS_GUEST_IP: '127.0.0.1'}
    const run = (...args: string[]) => void execFileSync(path.join(FAKES_DIR, tool), args, {env: {...process.env, ...env}})
    if (withTool) {
      makeVm(run, 'contract-running', true)
      makeVm(run, 'contract-stopped', false)
    }
    const {ctx, close} = createTestContext({env})
    return {
      host: LOCAL,
      ctx,
      observe: () => snapshot(home),
      vms: {running: 'contract-running', stopped: 'contract-stopped'},
      stage: async (set) => stageLocally(set, path.join(root, 'staging')),
      cleanup: async () => {
        await close()
        await rm(root, {recursive: true, force: true})
      },
    }
  }
  return {world: () => make(true), worldWithoutTool: () => make(false)}
}

/**
 * The harness for a fake hypervisor: two fake "hosts" on this machine (test/contract/local-hosts.ts),
 * whose running VMs' "guests" are local shells that print which side they are on.
 */
function fakeHarness(guestIpVar: string, createVm: (hosts: LocalHosts, name: string) => void, options: {guestEnv?: boolean} = {}): () => Promise<DriverContractHarness> {
  return async () => {
    const hosts = localHosts((side) => ({[guestIpVar]: GUEST_IPS[side], ...(options.guestEnv ? {OCVM_TEST_GUEST: side} : {})}))
    return {
      source: hosts.source,
      target: hosts.target,
      ctx: hosts.ctx,
      createVm: async (name) => createVm(hosts, name),
      stage: async (set) => stageLocally(set, path.join(hosts.home.target, 'ocvm-staging')),
      guestProbe: {argv: ['sh', '-c', 'printf %s "$OCVM_TEST_GUEST"'], source: /^source$/, target: /^target$/},
      cleanup: async () => hosts.cleanup(),
    }
  }
}

/** Runs a fake's command with the source host's environment. */
function onSource(hosts: LocalHosts, tool: string, ...args: string[]): void {
  execFileSync(path.join(FAKES_DIR, tool), args, {env: {...process.env, ...hosts.env.source}})
}

/** Some data in a disk image, between holes. */
function scribble(disk: string): void {
  writeAt(disk, 4096, 'boot sector of the contract VM')
  writeAt(disk, 40 * 1024 * 1024, 'openclaw state inside the guest')
}

// Lume (the fake lume 0.5.3).
CONTRACT_SETUPS.lume = {
  ...fakeWorldSetup('lume', (run, name, running) => {
    run('create', name, '--os', 'linux', '--cpu', '2', '--memory', '1GB', '--disk-size', '16MB')
    if (running) run('run', name, '--no-display', '--detach')
  }),
  harness: fakeHarness('OCVM_FAKE_LUME_GUEST_IP', (hosts, name) => {
    onSource(hosts, 'lume', 'create', name, '--os', 'linux', '--cpu', '2', '--memory', '2GB', '--disk-size', '64MB')
    scribble(path.join(hosts.home.source, '.lume', name, 'disk.img'))
  }),
}

// Parallels (the fake prlctl/prlsrvctl 26.1).
CONTRACT_SETUPS.parallels = {
  ...fakeWorldSetup('prlctl', (run, name, running) => {
    run('create', name, '-o', 'ubuntu')
    if (running) run('start', name)
  }),
  harness: fakeHarness('OCVM_FAKE_PRL_GUEST_IP', (hosts, name) => {
    onSource(hosts, 'prlctl', 'create', name, '-o', 'ubuntu')
    onSource(hosts, 'prlctl', 'set', name, '--cpus', '3', '--memsize', '3072')
    const hdd = path.join(hosts.home.source, 'Parallels', `${name}.pvm`, 'harddisk.hdd')
    scribble(path.join(hdd, readdirSync(hdd).find((f) => f.endsWith('.hds'))!))
  }),
}

// Multipass (the fake multipass 1.16.3). The fake's `exec` runs commands on its own host, so each
// side's environment marks its "guest".
CONTRACT_SETUPS.multipass = {
  ...fakeWorldSetup('multipass', (run, name, running) => {
    run('launch', '22.04', '--name', name, '--cpus', '1', '--memory', '1G', '--disk', '5G')
    if (!running) run('stop', name)
  }),
  harness: fakeHarness('OCVM_FAKE_MULTIPASS_GUEST_IP', (hosts, name) => {
    onSource(hosts, 'multipass', 'launch', '22.04', '--name', name, '--cpus', '2', '--memory', '2G', '--disk', '8G')
    onSource(hosts, 'multipass', 'stop', name)
  }, {guestEnv: true}),
}

/**
 * Built-in drivers whose contract runs against the real hypervisor in an integration test instead
 * (no fake exists for them, by design): driver name → that test file, which calls describeDriverContract.
 */
export const CONTRACT_ELSEWHERE: Record<string, string> = {
  libvirt: 'test/integration/libvirt-contract.test.ts',
}
