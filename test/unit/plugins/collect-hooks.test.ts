import {Config} from '@oclif/core'
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {PluginError} from '../../../src/errors.js'
import {createHookList} from '../../../src/plugins/hook-list.js'
import {collectPluginHooks} from '../../../src/plugins/load.js'
import {REPO_ROOT, runCli} from '../../helpers/cli.js'

// Post-migrate hooks arrive the same way as drivers (`ocvm:hooks`); the hook engine gets them from
// collectPluginHooks. Loaded in-process here, from an isolated oclif data dir with a linked plugin.
describe('ocvm:hooks', () => {
  let dir = ''
  const saved = process.env.OCVM_DATA_DIR
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ocvm-hooks-'))
    process.env.OCVM_DATA_DIR = path.join(dir, 'data')
    const link = await runCli(['plugins', 'link', path.join(REPO_ROOT, 'test/fixtures/plugins/ocvm-hooks-acme'), '--no-install'], {env: {OCVM_DATA_DIR: process.env.OCVM_DATA_DIR, OCVM_CONFIG_DIR: path.join(dir, 'config'), OCVM_CACHE_DIR: path.join(dir, 'cache')}})
    expect(link.exitCode, link.stderr).toBe(0)
  })
  afterAll(async () => {
    if (saved === undefined) delete process.env.OCVM_DATA_DIR
    else process.env.OCVM_DATA_DIR = saved
    await rm(dir, {recursive: true, force: true})
  })

  it('collects namespaced hooks, refuses the reserved ocvm/ namespace, and attributes a hook\'s failure to its plugin', async () => {
    const config = await Config.load({root: REPO_ROOT})
    const {items, warnings} = await collectPluginHooks(config)
    expect(items.map((i) => [i.item.id, i.plugin.name, i.plugin.type])).toEqual([['acme/vpn', 'ocvm-hooks-acme', 'link']])
    expect(warnings).toEqual([expect.objectContaining({kind: 'invalid', plugin: 'ocvm-hooks-acme@0.0.1', message: expect.stringContaining('the ocvm/ namespace is reserved')})])
    const hook = items[0]?.item
    expect(await hook?.check({} as never)).toEqual({satisfied: false, details: ['vpn not joined']})
    const error = await hook?.apply({} as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PluginError)
    expect((error as Error).message).toBe('plugin ocvm-hooks-acme@0.0.1: hook acme/vpn: apply() failed: vpn join failed')
  })

  it('createHookList puts plugin hooks after the built-ins', async () => {
    const config = await Config.load({root: REPO_ROOT})
    const builtin = {id: 'ocvm/services', description: 'd', appliesTo: {}, onError: 'fail' as const, timeoutMs: 1000,
      check: async () => ({satisfied: true, details: []}), apply: async () => ({changed: []}), verify: async () => ({satisfied: true, details: []})}
    const {hooks} = await createHookList(config, [builtin])
    expect(hooks.map((h) => [h.hook.id, h.source])).toEqual([['ocvm/services', 'builtin'], ['acme/vpn', 'ocvm-hooks-acme']])
  })
})
