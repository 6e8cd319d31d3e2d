import {execFileSync, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {lumeDriver} from '../../../../src/drivers/lume/index.js'
import {caught} from '../../../helpers/caught.js'
import {FAKES_DIR, GUEST_IPS, localHosts, type LocalHosts, type Side} from '../../../contract/local-hosts.js'
import {stageLocally, writeAt} from '../../../contract/stage-local.js'

// The lume driver's handling of lume's documented errors and quirks, against the fake lume.
describe('lume driver against the fake lume: errors and quirks', {timeout: 60_000}, () => {
  let hosts: LocalHosts
  const lume = (side: Side, args: string[], extra: Record<string, string> = {}) =>
    spawnSync(path.join(FAKES_DIR, 'lume'), args, {env: {...process.env, ...hosts.env[side], ...extra}, encoding: 'utf8'})
  const create = (side: Side, name: string) => {
    expect(lume(side, ['create', name, '--os', 'linux', '--cpu', '2', '--memory', '1GB', '--disk-size', '16MB']).status).toBe(0)
    writeAt(path.join(hosts.home[side], '.lume', name, 'disk.img'), 8192, `data of ${name}`)
  }

  const log: string[] = []
  beforeAll(() => {
    hosts = localHosts((side, home) => ({OCVM_FAKE_LUME_GUEST_IP: GUEST_IPS[side], OCVM_FAKE_LUME_REGISTRY: path.join(path.dirname(home), 'registry')}), {log: (l) => log.push(l)})
    create('source', 'vm1')
  })
  afterAll(() => hosts.cleanup())

  it('the fake prints INFO log lines on stdout before the JSON, and the driver still parses it', async () => {
    const raw = lume('source', ['ls', '-f', 'json'])
    expect(raw.stdout).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] INFO: /)
    expect(await lumeDriver.list(hosts.source, hosts.ctx)).toEqual([{name: 'vm1', state: 'stopped'}])
  })

  it('a changed JSON shape is "unexpected lume output"', async () => {
    hosts.env.source.OCVM_FAKE_LUME_INJECT = 'drift'
    try {
      const error = await caught(lumeDriver.inspect(hosts.source, 'vm1', hosts.ctx))
      expect(error).toMatchObject({code: 'unexpected-output'})
      expect((error as Error).message).toMatch(/^unexpected lume output from `lume get vm1 -f json` on ssh:\/\/src\.fake: 0\.cpuCount/)
    } finally {
      delete hosts.env.source.OCVM_FAKE_LUME_INJECT
    }
  })

  it('a missing lume: probe says unavailable with how to install, verbs fail with missing-tool', async () => {
    const saved = hosts.env.source.PATH!
    hosts.env.source.PATH = '/usr/bin:/bin'
    try {
      const probe = await lumeDriver.probe(hosts.source, hosts.ctx)
      expect(probe.available).toBe(false)
      expect(probe.detail).toMatch(/`lume` is not installed.*Install Lume/)
      expect(await caught(lumeDriver.list(hosts.source, hosts.ctx))).toMatchObject({code: 'missing-tool'})
    } finally {
      hosts.env.source.PATH = saved
    }
  })

  it('stop/start of an unknown VM is vm-not-found', async () => {
    expect(await caught(lumeDriver.stop(hosts.source, 'ghost', hosts.ctx, {timeoutMs: 1000, force: false}))).toMatchObject({code: 'vm-not-found'})
    expect(await caught(lumeDriver.start(hosts.source, 'ghost', hosts.ctx))).toMatchObject({code: 'vm-not-found'})
  })

  it('a graceful shutdown that times out fails without --force and powers off with it', async () => {
    await lumeDriver.start(hosts.source, 'vm1', hosts.ctx)
    hosts.env.source.OCVM_FAKE_LUME_INJECT = 'shutdown-hangs'
    try {
      const error = await caught(lumeDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 1000, force: false}))
      expect(error).toMatchObject({code: 'vm-state'})
      expect((error as {hint: string}).hint).toMatch(/--force/)
      expect((await lumeDriver.inspect(hosts.source, 'vm1', hosts.ctx)).state).toBe('running')
      await lumeDriver.stop(hosts.source, 'vm1', hosts.ctx, {timeoutMs: 1000, force: true})
      expect((await lumeDriver.inspect(hosts.source, 'vm1', hosts.ctx)).state).toBe('stopped')
    } finally {
      delete hosts.env.source.OCVM_FAKE_LUME_INJECT
    }
  })

  it('a VM still being provisioned is busy and cannot be exported', async () => {
    create('source', 'prov')
    writeFileSync(path.join(hosts.home.source, '.lume/prov/.provisioning'), '')
    expect((await lumeDriver.inspect(hosts.source, 'prov', hosts.ctx)).state).toBe('busy')
    expect(await caught(lumeDriver.exportVm(hosts.source, 'prov', hosts.ctx))).toMatchObject({code: 'vm-state'})
    expect(await caught(lumeDriver.start(hosts.source, 'prov', hosts.ctx))).toMatchObject({code: 'vm-state'})
  })

  it('export leaves out transient files (sessions.json) and keeps the three VM files', async () => {
    writeFileSync(path.join(hosts.home.source, '.lume/vm1/extra-disk.img'), 'second disk')
    const set = await lumeDriver.exportVm(hosts.source, 'vm1', hosts.ctx)
    expect(set.files.map((f) => [f.relPath, f.sparse])).toEqual([
      ['config.json', false],
      ['disk.img', true],
      ['extra-disk.img', true],
      ['nvram.bin', false],
    ])
    expect(set.files.find((f) => f.relPath === 'disk.img')?.bytes).toBe(16 * 1024 * 1024)
  })

  it('import into another storage dir registers it with `lume config storage add`, once', async () => {
    const set = await lumeDriver.exportVm(hosts.source, 'vm1', hosts.ctx)
    const storage = path.join(hosts.home.target, 'Volumes/VMs')
    const imported = await lumeDriver.importVm(hosts.target, {exportSet: set, stagingDir: stageLocally(set, path.join(hosts.home.target, 'st')), targetName: 'vm1', options: {storage}, dryRun: false}, hosts.ctx)
    expect(imported).toEqual({name: 'vm1', state: 'stopped'})
    expect(existsSync(path.join(storage, 'vm1/disk.img'))).toBe(true)
    expect(lume('target', ['config', 'storage', 'list']).stdout).toContain(`: ${storage}`)
    // A second VM into the same dir: already a location, no second registration.
    await lumeDriver.importVm(hosts.target, {exportSet: set, stagingDir: stageLocally(set, path.join(hosts.home.target, 'st')), targetName: 'vm1-copy', options: {storage}, dryRun: false}, hosts.ctx)
    expect(lume('target', ['config', 'storage', 'list']).stdout.split(storage).length - 1).toBe(1)
    expect((await lumeDriver.list(hosts.target, hosts.ctx)).map((v) => v.name).sort()).toEqual(['vm1', 'vm1-copy'])
  })

  it('import refuses a leftover directory lume does not list, and bad options', async () => {
    const set = await lumeDriver.exportVm(hosts.source, 'vm1', hosts.ctx)
    mkdirSync(path.join(hosts.home.target, '.lume/half-copied'), {recursive: true})
    const request = {exportSet: set, stagingDir: stageLocally(set, path.join(hosts.home.target, 'st')), targetName: 'half-copied', options: {}, dryRun: false}
    expect(await caught(lumeDriver.importVm(hosts.target, request, hosts.ctx))).toMatchObject({code: 'vm-exists'})
    expect(await caught(lumeDriver.importVm(hosts.target, {...request, targetName: 'ok', options: {storage: 'relative'}}, hosts.ctx))).toMatchObject({code: 'usage'})
    expect(await caught(lumeDriver.importVm(hosts.target, {...request, targetName: '../evil'}, hosts.ctx))).toMatchObject({code: 'usage'})
  })

  it('registry transport: push needs credentials, which travel on stdin, never argv; pull recreates the VM', async () => {
    const ref = 'registry.test:5000/acme/openclaw-vm:moved'
    expect(await caught(lumeDriver.registryTransport.push(hosts.source, 'vm1', ref, hosts.ctx))).toMatchObject({code: 'registry-auth'})

    const token = 'ghp_secret-token-value'
    log.length = 0
    await lumeDriver.registryTransport.push(hosts.source, 'vm1', ref, hosts.ctx, {username: 'ci-bot', token})
    expect(log.some((l) => l.includes('lume push vm1 openclaw-vm:moved --registry registry.test:5000 --organization acme'))).toBe(true)
    expect(log.join('\n')).not.toContain(token)
    expect(hosts.ctx.runner.redactor.redact(`x ${token} y`)).not.toContain(token)

    const pulled = await lumeDriver.registryTransport.pull(hosts.target, ref, 'pulled-vm', hosts.ctx)
    expect(pulled).toEqual({name: 'pulled-vm', state: 'stopped'})
    const sum = (side: Side, name: string) => execFileSync('sha256sum', [path.join(hosts.home[side], '.lume', name, 'disk.img')], {encoding: 'utf8'}).split(' ')[0]
    expect(sum('target', 'pulled-vm')).toBe(sum('source', 'vm1'))
    expect(await caught(lumeDriver.registryTransport.pull(hosts.target, ref, 'pulled-vm', hosts.ctx))).toMatchObject({code: 'vm-exists'})
  })
})
