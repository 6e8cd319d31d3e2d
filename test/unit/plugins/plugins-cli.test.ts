import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {REPO_ROOT, runCli} from '../../helpers/cli.js'
import {run} from '../../helpers/process.js'

// `ocvm plugins install|link|uninstall` for real, in an oclif data/config/cache dir of its own (never
// the user's), then what `drivers list`, `drivers doctor` and `migrate` make of the plugins.

const EXAMPLE = path.join(REPO_ROOT, 'examples/ocvm-driver-virtualbox')
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/plugins')
const FAKE_VBOX = path.join(EXAMPLE, 'test/fakes')

interface Warning {plugin: string; kind: string; message: string}
interface ListResult {drivers: Array<{name: string; source: string; description: string; plugin?: {name: string; version: string; type: string}}>; warnings: Warning[]}

async function isolated(): Promise<{dir: string; env: Record<string, string>}> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ocvm-plugins-'))
  return {dir, env: {
    HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_CACHE_HOME: path.join(dir, 'cache'),
    OCVM_DATA_DIR: path.join(dir, 'ocvm-data'), OCVM_CONFIG_DIR: path.join(dir, 'ocvm-config'), OCVM_CACHE_DIR: path.join(dir, 'ocvm-cache'),
    npm_config_cache: path.join(dir, 'npm-cache'), npm_config_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false',
  }}
}

describe('a driver plugin packed, installed, used and uninstalled', () => {
  let dir = ''
  let env: Record<string, string> = {}
  let tarball = ''
  beforeAll(async () => {
    ({dir, env} = await isolated())
    const pack = await run('npm', ['pack', '--pack-destination', dir, '--json'], {cwd: EXAMPLE, env})
    expect(pack.exitCode, pack.stderr).toBe(0)
    tarball = path.join(dir, (JSON.parse(pack.stdout) as Array<{filename: string}>)[0]?.filename ?? '')
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  it('installs from the tarball and shows up in drivers list with its package and version', async () => {
    const install = await runCli(['plugins', 'install', `file:${tarball}`], {env})
    expect(install.exitCode, install.stderr).toBe(0)
    const list = await runCli(['drivers', 'list', '--json'], {env})
    expect(list.exitCode, list.stderr).toBe(0)
    const result = list.json as ListResult
    expect(result.warnings).toEqual([])
    expect(result.drivers.find((d) => d.name === 'virtualbox')).toMatchObject({source: 'ocvm-driver-virtualbox', plugin: {name: 'ocvm-driver-virtualbox', version: '0.1.0', type: 'user'}})
    const table = await runCli(['drivers', 'list'], {env})
    expect(table.stdout).toMatch(/virtualbox\s+ocvm-driver-virtualbox@0\.1\.0\s+image\s+export,import/)
  })

  it('runs the plugin\'s code through ocvm: drivers doctor probes VBoxManage with ocvm\'s runner', async () => {
    const withTool = await runCli(['drivers', 'doctor', 'virtualbox', '--json'], {env: {...env, PATH: `${FAKE_VBOX}:${process.env.PATH}`, FAKE_VBOX_HOME: dir}})
    expect(withTool.exitCode, withTool.stderr).toBe(0)
    expect(withTool.json).toEqual({status: 'ok', drivers: [{name: 'virtualbox', source: 'ocvm-driver-virtualbox', available: true, version: '7.0.14r161095'}]})
    const without = await runCli(['drivers', 'doctor', 'virtualbox', '--json'], {env: {...env, PATH: '/usr/bin:/bin'}})
    expect(without.json).toMatchObject({drivers: [{name: 'virtualbox', available: false, detail: expect.stringContaining('install VirtualBox')}]})
  })

  it('uninstalls, and the driver is gone', async () => {
    const uninstall = await runCli(['plugins', 'uninstall', 'ocvm-driver-virtualbox'], {env})
    expect(uninstall.exitCode, uninstall.stderr).toBe(0)
    const list = await runCli(['drivers', 'list', '--json'], {env})
    expect((list.json as ListResult).drivers.map((d) => d.name)).toEqual(['file'])
  })
})

describe('misbehaving plugins give a warning or a refusal, and ocvm keeps working', () => {
  let dir = ''
  let env: Record<string, string> = {}
  beforeAll(async () => {
    ({dir, env} = await isolated())
    for (const plugin of [EXAMPLE, ...['ocvm-driver-throws-at-load', 'ocvm-driver-old-api', 'ocvm-driver-dupe', 'ocvm-driver-garbage'].map((p) => path.join(FIXTURES, p))]) {
      const link = await runCli(['plugins', 'link', plugin, '--no-install'], {env})
      expect(link.exitCode, link.stderr).toBe(0)
    }
  })
  afterAll(() => rm(dir, {recursive: true, force: true}))

  it('drivers list keeps the good drivers, the built-in wins a name clash, and each problem names its plugin', async () => {
    const r = await runCli(['drivers', 'list', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    const result = r.json as ListResult
    expect(result.drivers.map((d) => `${d.name}:${d.source}`)).toEqual(['file:builtin', 'flaky:ocvm-driver-dupe', 'virtualbox:ocvm-driver-virtualbox'])
    expect(result.drivers.find((d) => d.name === 'virtualbox')?.plugin?.type).toBe('link')
    const byKind = Object.fromEntries(result.warnings.map((w) => [w.kind, w]))
    expect(Object.keys(byKind).sort()).toEqual(['duplicate', 'failed', 'incompatible', 'invalid'])
    expect(byKind.failed).toMatchObject({plugin: 'ocvm-driver-throws-at-load@0.0.1', message: expect.stringContaining('cannot find libvboxapi.so')})
    expect(byKind.incompatible?.message).toBe('ocvm-driver-old-api@0.0.1: driver "hyperv" is built for API version 2, this ocvm speaks API version 1')
    expect(byKind.duplicate?.message).toContain('registers driver "file", which the built-in driver already provides')
    expect(byKind.invalid?.message).toMatch(/ocvm-driver-garbage@0\.0\.1 .*name: must be lowercase.*probe/)
    // The same warnings reach a human on stderr.
    expect(r.stderr).toContain('warning: plugin ocvm-driver-throws-at-load@0.0.1 failed to load its drivers')
  })

  it('a driver built for another API version is refused by name, naming both versions', async () => {
    const r = await runCli(['migrate', '--driver', 'hyperv', '--from', 'local', '--to', 'local', '--dry-run', '--json'], {env})
    expect(r.exitCode).toBe(1)
    expect(r.json).toMatchObject({status: 'failed', error: {code: 'plugin-incompatible', pluginApiVersion: 2, ocvmApiVersion: 1}})
    expect((r.json as {error: {hint: string}}).error.hint).toContain('ocvm plugins uninstall ocvm-driver-old-api@0.0.1')
  })

  it('a crash inside a plugin driver is shown with the plugin\'s name, and the other drivers still run', async () => {
    const r = await runCli(['drivers', 'doctor', '--json'], {env: {...env, PATH: '/usr/bin:/bin'}})
    expect(r.exitCode).toBe(3)
    const drivers = (r.json as {drivers: Array<{name: string; broken?: boolean; detail?: string; available: boolean}>}).drivers
    expect(drivers.find((d) => d.name === 'flaky')).toMatchObject({broken: true, detail: expect.stringMatching(/^plugin ocvm-driver-dupe@0\.0\.1: driver flaky: probe\(\) failed: Cannot read properties/)})
    expect(drivers.find((d) => d.name === 'file')).toMatchObject({available: true})
    expect(drivers.find((d) => d.name === 'virtualbox')).toMatchObject({available: false})
  })

  it('a plugin that never answers times out with a warning instead of hanging ocvm', async () => {
    const r = await runCli(['drivers', 'list', '--json'], {env: {...env, OCVM_FIXTURE_HANG: '1', OCVM_PLUGIN_TIMEOUT_MS: '500'}})
    expect(r.exitCode, r.stderr).toBe(0)
    expect((r.json as ListResult).warnings.find((w) => w.kind === 'timeout')).toMatchObject({plugin: 'ocvm-driver-garbage@0.0.1', message: expect.stringContaining('did not answer ocvm:drivers within 500 ms')})
  })
})
