import {spawnSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {multipassDriver} from '../../../../src/drivers/multipass/index.js'
import {caught} from '../../../helpers/caught.js'
import {FAKES_DIR, GUEST_IPS, localHosts, withEnv, type LocalHosts, type Side} from '../../../contract/local-hosts.js'

// The multipass driver's handling of multipass' documented errors and rules, against the fake.
describe('multipass driver against the fake multipass: errors and rules', {timeout: 60_000}, () => {
  let hosts: LocalHosts
  const mp = (side: Side, args: string[]) => spawnSync(path.join(FAKES_DIR, 'multipass'), args, {env: {...process.env, ...hosts.env[side]}, encoding: 'utf8'})
  const inject = (side: Side, vars: Record<string, string>, fn: () => Promise<void>) => withEnv(hosts, side, vars, fn)

  beforeAll(() => {
    hosts = localHosts((side) => ({OCVM_FAKE_MULTIPASS_GUEST_IP: GUEST_IPS[side]}))
    expect(mp('source', ['launch', '22.04', '--name', 'box', '--cpus', '2', '--memory', '2G', '--disk', '10G']).status).toBe(0)
  })
  afterAll(() => hosts.cleanup())

  it('inspect of a running instance: string numbers become numbers, the release is kept', async () => {
    const info = await multipassDriver.inspect(hosts.source, 'box', hosts.ctx)
    expect(info).toMatchObject({name: 'box', state: 'running', os: 'linux', cpus: 2, release: '22.04 LTS', address: GUEST_IPS.source})
    expect(info.memoryMiB).toBeGreaterThan(1900)
    expect(info.disks[0]?.virtualBytes).toBeGreaterThan(9 * 1024 ** 3)
  })

  it('the daemon down (exit 3): probe says so with how to start it; verbs fail with hypervisor-unavailable', async () => {
    await inject('source', {OCVM_FAKE_MULTIPASS_INJECT: 'daemon-down'}, async () => {
      const probe = await multipassDriver.probe(hosts.source, hosts.ctx)
      expect(probe).toMatchObject({available: false, version: '1.16.3'})
      expect(probe.detail).toMatch(/daemon is not reachable.*snap start multipass/)
      expect(await caught(multipassDriver.list(hosts.source, hosts.ctx))).toMatchObject({code: 'hypervisor-unavailable'})
      const guest = await caught(multipassDriver.guestShell(hosts.source, 'box', hosts.ctx))
      expect(guest).toMatchObject({code: 'hypervisor-unavailable'})
    })
  })

  it('drift is "unexpected multipass output"', async () => {
    await inject('source', {OCVM_FAKE_MULTIPASS_INJECT: 'drift'}, async () => {
      expect(await caught(multipassDriver.inspect(hosts.source, 'box', hosts.ctx))).toMatchObject({code: 'unexpected-output'})
    })
  })

  it('export/import are unsupported and name the state-mode fallback', async () => {
    const error = await caught(multipassDriver.exportVm(hosts.source, 'box', hosts.ctx))
    expect(error).toMatchObject({code: 'unsupported'})
    expect((error as {hint: string}).hint).toMatch(/moves the OpenClaw state instead/)
    expect(multipassDriver.capabilities).toMatchObject({export: false, import: false, guestExec: true})
  })

  it('a refused graceful stop fails without force and uses --force with it', async () => {
    await inject('source', {OCVM_FAKE_MULTIPASS_INJECT: 'stop-refused'}, async () => {
      const error = await caught(multipassDriver.stop(hosts.source, 'box', hosts.ctx, {timeoutMs: 5000, force: false}))
      expect(error).toMatchObject({code: 'vm-state'})
      await multipassDriver.stop(hosts.source, 'box', hosts.ctx, {timeoutMs: 5000, force: true})
    })
    expect((await multipassDriver.inspect(hosts.source, 'box', hosts.ctx)).state).toBe('stopped')
  })

  it('the guest shell: exec auto-starts a stopped instance, streams stdin, passes exit codes, and unknown instances fail clearly', async () => {
    const guest = await multipassDriver.guestShell(hosts.source, 'box', hosts.ctx)
    expect(guest.label).toBe('guest:multipass/box@ssh://src.fake')
    expect((await guest.script('cat; printf "[%s]" "$1"', ['two words'], {input: 'streamed\n'})).stdout).toBe('streamed\n[two words]')
    expect((await multipassDriver.inspect(hosts.source, 'box', hosts.ctx)).state).toBe('running')
    const failed = await caught(guest.exec(['sh', '-c', 'echo oops >&2; exit 5']))
    expect(failed).toMatchObject({code: 'external-command'})
    expect((failed as Error).message).toBe('sh exited with code 5 on guest:multipass/box@ssh://src.fake: oops')
    expect(await caught(multipassDriver.guestShell(hosts.source, 'ghost', hosts.ctx))).toMatchObject({code: 'vm-not-found'})
  })

  it('transfer needs a running instance (the fake enforces the rule), exec does not', async () => {
    await multipassDriver.stop(hosts.source, 'box', hosts.ctx, {timeoutMs: 5000, force: false})
    const t = mp('source', ['transfer', '/etc/hostname', 'box:/tmp/x'])
    expect([t.status, t.stderr.trim()]).toEqual([2, 'transfer failed: instance "box" is not running'])
  })

  it('provisionLike refuses an instance of unknown release and a deleted-but-not-purged name', async () => {
    const like = {...(await multipassDriver.inspect(hosts.source, 'box', hosts.ctx)), release: 'Windows 11'}
    expect(await caught(multipassDriver.provisionLike!(hosts.target, like, 'new', hosts.ctx, false))).toMatchObject({code: 'unknown-release'})
    expect(mp('target', ['launch', '22.04', '--name', 'gone']).status).toBe(0)
    expect(mp('target', ['delete', 'gone']).status).toBe(0)
    const base = await multipassDriver.inspect(hosts.source, 'box', hosts.ctx)
    expect(await caught(multipassDriver.provisionLike!(hosts.target, base, 'gone', hosts.ctx, false))).toMatchObject({code: 'vm-state'})
  })
})
