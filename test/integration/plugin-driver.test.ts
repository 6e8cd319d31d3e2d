// A third-party driver plugin end to end: the example ocvm-driver-virtualbox is packed, installed
// with `ocvm plugins install` into an oclif data dir of its own, and moves a VM from alice@ocvm-src
// to alice@ocvm-dst over real ssh with ocvm's image pipeline. VirtualBox cannot run here, so each
// host gets the example's FAKE VBoxManage (documented CLI contract; state in ~/.fake-vbox); the
// "guest" the new VM reports is ocvm-dst itself, reached over ssh like a real guest would be.
import {chownSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {hostFsPath, hostIp, hostUserId, REPO_ROOT, resetHosts, run, runOcvm} from '../infra/hosts.js'

const SRC = 'ocvm-src'
const DST = 'ocvm-dst'
const EXAMPLE = path.join(REPO_ROOT, 'examples/ocvm-driver-virtualbox')
const FAKE = path.join(EXAMPLE, 'test/fakes/VBoxManage')

const vboxHome = (host: string) => hostFsPath(host, '/home/alice/.fake-vbox')
const vboxState = (host: string) => JSON.parse(readFileSync(path.join(vboxHome(host), 'state.json'), 'utf8')) as {vms: Array<{name: string; state: string; ip?: string}>}
const vboxCalls = (host: string) => readFileSync(path.join(vboxHome(host), 'calls.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[])

function setUpFakeVirtualBox(host: string, vms: unknown[], guestIp?: string): void {
  copyFileSync(FAKE, hostFsPath(host, '/usr/local/bin/VBoxManage'))
  const {uid, gid} = hostUserId('alice')
  const home = vboxHome(host)
  mkdirSync(home, {recursive: true})
  const files: Record<string, string> = {'state.json': JSON.stringify({vms}), 'calls.log': ''}
  if (guestIp) files['guest-ip'] = guestIp
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(home, name), content)
  for (const name of ['', ...Object.keys(files)]) chownSync(path.join(home, name), uid, gid)
}

describe('driver plugin: ocvm-driver-virtualbox installed with `ocvm plugins install`, migrating alice@ocvm-src -> alice@ocvm-dst', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'ocvm-plugin-it-'))
  const env = {
    HOME: scratch, OCVM_DATA_DIR: path.join(scratch, 'data'), OCVM_CONFIG_DIR: path.join(scratch, 'config'), OCVM_CACHE_DIR: path.join(scratch, 'cache'),
    XDG_STATE_HOME: path.join(scratch, 'state'), npm_config_cache: path.join(scratch, 'npm-cache'), npm_config_offline: 'true',
  }

  beforeAll(async () => {
    await resetHosts()
    setUpFakeVirtualBox(SRC, [{name: 'gateway-vm', uuid: '3c4d5e6f-1a2b-4c3d-8e9f-0a1b2c3d4e5f', ostype: 'Ubuntu (64-bit)', memory: 2048, cpus: 2, state: 'running', ip: hostIp(SRC),
      disks: [{port: 'SATA-0-0', uuid: '9b8a7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d', path: '/vbox/gateway-vm/gateway-vm.vdi', capacityMB: 10240, sizeOnDiskMB: 3100}]}])
    setUpFakeVirtualBox(DST, [], hostIp(DST))
    const pack = await run('npm', ['pack', '--pack-destination', scratch, '--json'], {cwd: EXAMPLE, env})
    expect(pack.exitCode, pack.stderr).toBe(0)
    const tarball = path.join(scratch, (JSON.parse(pack.stdout) as Array<{filename: string}>)[0]?.filename ?? '')
    const install = await runOcvm(['plugins', 'install', `file:${tarball}`], {env})
    expect(install.exitCode, install.stderr).toBe(0)
  }, 300_000)

  afterAll(() => {
    for (const host of [SRC, DST]) rmSync(hostFsPath(host, '/usr/local/bin/VBoxManage'), {force: true})
    rmSync(scratch, {recursive: true, force: true})
  })

  it('drivers doctor finds VBoxManage on both hosts through the plugin', async () => {
    for (const host of [SRC, DST]) {
      const r = await runOcvm(['drivers', 'doctor', 'virtualbox', '--on', `alice@${host}`, '--json'], {env})
      expect(r.exitCode, r.stderr).toBe(0)
      expect(r.json).toEqual({status: 'ok', drivers: [{name: 'virtualbox', source: 'ocvm-driver-virtualbox', available: true, version: '7.0.14r161095'}]})
    }
  })

  it('--dry-run plans the move and changes nothing on either host', async () => {
    const r = await runOcvm(['migrate', '--driver', 'virtualbox', '--vm', 'gateway-vm', '--from', `alice@${SRC}`, '--to', `alice@${DST}`, '--dry-run', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({dryRun: true, mode: 'image'})
    expect(vboxState(SRC).vms.map((v) => [v.name, v.state])).toEqual([['gateway-vm', 'running']])
    expect(vboxState(DST).vms).toEqual([])
  })

  it('migrates the VM: ACPI shutdown, OVA export, checksummed transfer, import, start, a shell in the guest', async () => {
    const r = await runOcvm(['migrate', '--driver', 'virtualbox', '--vm', 'gateway-vm', '--from', `alice@${SRC}`, '--to', `alice@${DST}`, '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    expect(r.json).toMatchObject({status: 'ok', mode: 'image'})
    // The source VM is stopped (never deleted); the target has it, started, reachable.
    expect(vboxState(SRC).vms.map((v) => [v.name, v.state])).toEqual([['gateway-vm', 'poweroff']])
    expect(vboxState(DST).vms.map((v) => [v.name, v.state, v.ip])).toEqual([['gateway-vm', 'running', hostIp(DST)]])
    expect(vboxCalls(SRC).filter((c) => ['controlvm', 'export'].includes(c[0] ?? '')).map((c) => c.slice(0, 3))).toEqual([['controlvm', 'gateway-vm', 'acpipowerbutton'], ['export', 'gateway-vm', '--output']])
    const imports = vboxCalls(DST).filter((c) => c[0] === 'import')
    expect(imports).toHaveLength(1)
    expect(imports[0]?.slice(2)).toEqual(['--vsys', '0', '--vmname', 'gateway-vm'])
  }, 400_000)

  it('a second migration refuses to overwrite the VM now on the target', async () => {
    const r = await runOcvm(['migrate', '--driver', 'virtualbox', '--vm', 'gateway-vm', '--from', `alice@${SRC}`, '--to', `alice@${DST}`, '--yes', '--json'], {env})
    expect(r.exitCode).toBe(1)
    expect(JSON.stringify(r.json)).toMatch(/gateway-vm/)
    expect(vboxState(DST).vms).toHaveLength(1)
  })

  it('after `ocvm plugins uninstall` the driver is gone and --driver virtualbox says how to get it', async () => {
    const un = await runOcvm(['plugins', 'uninstall', 'ocvm-driver-virtualbox'], {env})
    expect(un.exitCode, un.stderr).toBe(0)
    const r = await runOcvm(['migrate', '--driver', 'virtualbox', '--vm', 'gateway-vm', '--from', `alice@${SRC}`, '--to', `alice@${DST}`, '--dry-run', '--json'], {env})
    expect(r.exitCode).toBe(2)
    expect(r.json).toMatchObject({error: {code: 'driver-not-found', hint: expect.stringContaining('ocvm plugins install ocvm-driver-<name>')}})
  })
})
