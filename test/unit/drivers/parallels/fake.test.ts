import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {parallelsDriver} from '../../../../src/drivers/parallels/index.js'
import {caught} from '../../../helpers/caught.js'
import {FAKES_DIR, GUEST_IPS, localHosts, withEnv, type LocalHosts, type Side} from '../../../contract/local-hosts.js'
import {stageLocally} from '../../../contract/stage-local.js'

// The parallels driver's handling of prlctl's documented errors, against the fake prlctl.
describe('parallels driver against the fake prlctl: errors and options', {timeout: 60_000}, () => {
  let hosts: LocalHosts
  const prlctl = (side: Side, args: string[]) => spawnSync(path.join(FAKES_DIR, 'prlctl'), args, {env: {...process.env, ...hosts.env[side]}, encoding: 'utf8'})
  const inject = (side: Side, vars: Record<string, string>, fn: () => Promise<void>) => withEnv(hosts, side, vars, fn)

  beforeAll(() => {
    hosts = localHosts((side) => ({OCVM_FAKE_PRL_GUEST_IP: GUEST_IPS[side]}))
    expect(prlctl('source', ['create', 'vm1', '-o', 'ubuntu']).status).toBe(0)
  })
  afterAll(() => hosts.cleanup())

  it('a Standard edition: probe says why the driver cannot work, exports refuse with the licence hint', async () => {
    await inject('source', {OCVM_FAKE_PRL_EDITION: 'standard'}, async () => {
      const probe = await parallelsDriver.probe(hosts.source, hosts.ctx)
      expect(probe).toMatchObject({available: false, version: '26.1.1 (57288)'})
      expect(probe.detail).toMatch(/"standard" edition.*Pro or Business/)
      const error = await caught(parallelsDriver.exportVm(hosts.source, 'vm1', hosts.ctx))
      expect(error).toMatchObject({code: 'hypervisor-unavailable'})
      // prlctl itself refuses too, and that is mapped the same way.
      expect(await caught(parallelsDriver.list(hosts.source, hosts.ctx))).toMatchObject({code: 'hypervisor-unavailable'})
    })
  })

  it('the Parallels service down (exit 253) is hypervisor-unavailable', async () => {
    await inject('source', {OCVM_FAKE_PRL_INJECT: 'dispatcher-down'}, async () => {
      const error = await caught(parallelsDriver.list(hosts.source, hosts.ctx))
      expect(error).toMatchObject({code: 'hypervisor-unavailable'})
      expect((error as Error).message).toMatch(/cannot connect to the Parallels service/)
    })
  })

  it('drift is "unexpected prlctl output"', async () => {
    await inject('source', {OCVM_FAKE_PRL_INJECT: 'drift'}, async () => {
      expect(await caught(parallelsDriver.inspect(hosts.source, 'vm1', hosts.ctx))).toMatchObject({code: 'unexpected-output'})
    })
  })

  it('missing prlctl: probe unavailable with the install hint', async () => {
    await inject('source', {PATH: '/usr/bin:/bin'}, async () => {
      const probe = await parallelsDriver.probe(hosts.source, hosts.ctx)
      expect(probe.available).toBe(false)
      expect(probe.detail).toMatch(/`prlctl` is not installed.*Parallels Desktop/)
    })
  })

  it('a guest that ignores ACPI: stop fails without force, --kill with it', async () => {
    await parallelsDriver.start(hosts.source, 'vm1', hosts.ctx)
    await inject('source', {OCVM_FAKE_PRL_INJECT: 'stop-hangs'}, async () => {
      const error = await caught(parallelsDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 5000, force: false}))
      expect(error).toMatchObject({code: 'vm-state'})
      expect((error as {hint: string}).hint).toMatch(/--force-stop/)
      await parallelsDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 5000, force: true})
    })
    expect((await parallelsDriver.inspect(hosts.source, 'vm1', hosts.ctx)).state).toBe('stopped')
  })

  it('a paused VM: stop explains, export refuses; --force drops the state', async () => {
    await parallelsDriver.start(hosts.source, 'vm1', hosts.ctx)
    expect(prlctl('source', ['pause', 'vm1']).status).toBe(0)
    expect(await caught(parallelsDriver.exportVm(hosts.source, 'vm1', hosts.ctx))).toMatchObject({code: 'vm-state'})
    const error = await caught(parallelsDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 5000, force: false}))
    expect((error as Error).message).toMatch(/is paused/)
    // The real message for stopping a paused VM (reference §2.3) reaches the user mapped, not raw.
    expect(prlctl('source', ['stop', 'vm1']).stderr).toMatch(/"paused" state/)
    await parallelsDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 5000, force: true})
    expect((await parallelsDriver.inspect(hosts.source, 'vm1', hosts.ctx)).state).toBe('stopped')
  })

  it('deleting a running VM is refused by prlctl with the busy text, mapped to vm-state', async () => {
    await parallelsDriver.start(hosts.source, 'vm1', hosts.ctx)
    const raw = prlctl('source', ['delete', 'vm1'])
    expect([raw.status, raw.stderr.trim()]).toEqual([255, 'Failed to remove the VM: Unable to perform the action because the virtual machine is busy. The virtual machine is currently running. Please try again later.'])
    await parallelsDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 5000, force: false})
  })

  it('import: a new UUID by default, the same with preserveUuid, never a UUID that is taken', async () => {
    const set = await parallelsDriver.exportVm(hosts.source, 'vm1', hosts.ctx)
    const sourceUuid = set.meta.uuid as string
    const stage = () => stageLocally(set, path.join(hosts.home.target, 'st'))
    const fresh = await parallelsDriver.importVm(hosts.target, {exportSet: set, stagingDir: stage(), targetName: 'copy-new', options: {}, dryRun: false}, hosts.ctx)
    expect(fresh.id).toMatch(/^[0-9a-f-]{36}$/)
    expect(fresh.id).not.toBe(sourceUuid)
    const kept = await parallelsDriver.importVm(hosts.target, {exportSet: set, stagingDir: stage(), targetName: 'copy-same', options: {preserveUuid: true}, dryRun: false}, hosts.ctx)
    expect(kept.id).toBe(sourceUuid)
    const taken = await caught(parallelsDriver.importVm(hosts.target, {exportSet: set, stagingDir: stage(), targetName: 'copy-3', options: {preserveUuid: true}, dryRun: false}, hosts.ctx))
    expect(taken).toMatchObject({code: 'vm-exists'})
    expect((await parallelsDriver.list(hosts.target, hosts.ctx)).map((v) => v.name).sort()).toEqual(['copy-new', 'copy-same'])
    expect(await caught(parallelsDriver.importVm(hosts.target, {exportSet: set, stagingDir: stage(), targetName: 'x', options: {vmHome: 'relative'}, dryRun: false}, hosts.ctx))).toMatchObject({code: 'usage'})
  })
})
