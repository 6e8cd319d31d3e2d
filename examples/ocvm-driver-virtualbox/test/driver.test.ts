import {describe, expect, it} from 'vitest'

import {OcvmError, UsageError} from 'ocvm'

import {virtualboxDriver as vbox} from '../src/driver.js'
import {inFakeVirtualBox} from './world.js'

describe('virtualbox driver against the fake VBoxManage', () => {
  it('inspect reads CPUs, memory, OS, arch and disk sizes', () => inFakeVirtualBox(async (w) => {
    const info = await vbox.inspect(w.host, 'old-gateway', w.ctx)
    expect(info).toMatchObject({name: 'old-gateway', state: 'stopped', os: 'linux', arch: 'arm64', cpus: 1, memoryMiB: 2048})
    expect(info.disks).toEqual([{target: 'SATA-0-0', path: '/vbox/old-gateway/old-gateway.vdi', format: 'vdi', virtualBytes: 10240 * 1024 * 1024, allocatedBytes: 3100 * 1024 * 1024, backingChain: []}])
  }))

  it('dryRun reaches VBoxManage as --dry-run and creates no VM', () => inFakeVirtualBox(async (w) => {
    const set = await vbox.exportVm(w.host, 'old-gateway', w.ctx)
    const stagingDir = await w.stage(set)
    await vbox.importVm(w.host, {exportSet: set, stagingDir, targetName: 'moved', options: {}, dryRun: true}, w.ctx)
    const imports = (await w.calls()).filter((c) => c[0] === 'import')
    expect(imports).toEqual([['import', `${stagingDir}/old-gateway.ova`, '--vsys', '0', '--vmname', 'moved', '--dry-run']])
    expect((await vbox.list(w.host, w.ctx)).map((v) => v.name)).not.toContain('moved')
  }))

  it('stop shuts down over ACPI, start boots headless', () => inFakeVirtualBox(async (w) => {
    await vbox.stop(w.host, 'gateway-vm', w.ctx, {timeoutMs: 5000, force: false})
    expect((await vbox.inspect(w.host, 'gateway-vm', w.ctx)).state).toBe('stopped')
    await vbox.start(w.host, 'gateway-vm', w.ctx)
    expect((await vbox.inspect(w.host, 'gateway-vm', w.ctx)).state).toBe('running')
    expect((await w.calls()).filter((c) => c[0] === 'controlvm' || c[0] === 'startvm')).toEqual([
      ['controlvm', 'gateway-vm', 'acpipowerbutton'],
      ['startvm', 'gateway-vm', '--type', 'headless'],
    ])
  }))

  it('refuses unknown import options with the valid ones', () => inFakeVirtualBox(async (w) => {
    const set = await vbox.exportVm(w.host, 'old-gateway', w.ctx)
    const error = await vbox.importVm(w.host, {exportSet: set, stagingDir: await w.stage(set), targetName: 'x', options: {pool: 'p'}, dryRun: true}, w.ctx).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as OcvmError).hint).toContain('basefolder')
  }))

  it('guestShell needs an address from the Guest Additions', () => inFakeVirtualBox(async (w) => {
    const error = await vbox.guestShell(w.host, 'old-gateway', w.ctx).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OcvmError)
    expect((error as OcvmError).hint).toMatch(/Guest Additions/)
    expect((await vbox.guestShell(w.host, 'gateway-vm', w.ctx)).label).toBe('ssh://127.0.0.1')
  }))
})
