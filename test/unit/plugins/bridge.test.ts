import {describe, expect, it} from 'vitest'

import {DRIVER_API_VERSION, defineDriver, type ImageDriver, type ImportRequest} from '../../../src/drivers/api.js'
import {DriverSet} from '../../../src/drivers/driver-set.js'
import {DriverNotFoundError, OcvmError, PluginError, PluginIncompatibleError, UnsupportedError} from '../../../src/errors.js'
import {describeIssues, PluginDriverSchema, PluginHookSchema} from '../../../src/plugins/schema.js'
import {attributeError, attributeMethods} from '../../../src/plugins/wrap.js'

const caps = {level: 'state' as const, export: false, import: false, live: false, guestExec: false, formats: []}
const plugin = {name: 'ocvm-driver-x', version: '1.2.3', type: 'user'}

describe('errors from plugin code name the plugin', () => {
  it('an OcvmError keeps its class, code and hint; the prefix is added once', () => {
    const original = new UnsupportedError('no live migration', 'use --stop')
    const e = attributeError('ocvm-driver-x@1.2.3', 'driver x: exportVm()', attributeError('ocvm-driver-x@1.2.3', 'again', original))
    expect(e).toBe(original)
    expect(e).toBeInstanceOf(UnsupportedError)
    expect(e.message).toBe('plugin ocvm-driver-x@1.2.3: no live migration')
    expect((e as OcvmError).hint).toBe('use --stop')
  })

  it('an OcvmError from another copy of ocvm (same shape, other class) becomes ours, code and hint kept', () => {
    const foreign = Object.assign(new Error('vm exists'), {code: 'vm-exists', hint: 'rename it'})
    const e = attributeError('p@1', 'driver x: importVm()', foreign) as OcvmError
    expect(e).toBeInstanceOf(OcvmError)
    expect([e.code, e.message, e.hint]).toEqual(['vm-exists', 'plugin p@1: vm exists', 'rename it'])
  })

  it('anything else becomes a PluginError that says which plugin and which method', () => {
    const e = attributeError('p@1', 'driver x: list()', new TypeError('x is undefined'))
    expect(e).toBeInstanceOf(PluginError)
    expect(e.message).toBe('plugin p@1: driver x: list() failed: x is undefined')
    expect((e as PluginError).hint).toContain('ocvm plugins uninstall p@1')
  })

  it('the wrapped driver passes arguments through untouched: dryRun reaches the plugin', async () => {
    const seen: ImportRequest[] = []
    const driver = defineDriver({
      name: 'x', apiVersion: DRIVER_API_VERSION, description: 'x', capabilities: caps,
      async probe() { return {available: true} },
      async importVm(_host, request) {
        seen.push(request)
        return {name: request.targetName, state: 'stopped' as const}
      },
    })
    const wrapped = attributeMethods(driver, 'p@1', 'driver') as unknown as ImageDriver
    const request = {exportSet: {vm: {} as never, files: [], meta: {}}, stagingDir: '/s', targetName: 't', options: {a: 1}, dryRun: true}
    await wrapped.importVm({kind: 'local'}, request, {} as never)
    expect(seen).toEqual([request])
    expect(wrapped.name).toBe('x')
  })
})

describe('plugin answers are checked before ocvm uses them', () => {
  it('an image-level driver must implement every image verb', () => {
    const parsed = PluginDriverSchema.safeParse({name: 'vb', apiVersion: 1, description: 'd', capabilities: {...caps, level: 'image'}, probe: async () => ({}), list: async () => []})
    expect(parsed.success).toBe(false)
    expect(describeIssues(parsed.error!)).toBe('inspect: an image-level driver must implement inspect(); stop: an image-level driver must implement stop(); start: an image-level driver must implement start(); exportVm: an image-level driver must implement exportVm(); importVm: an image-level driver must implement importVm(); removeImported: an image-level driver must implement removeImported(); guestShell: an image-level driver must implement guestShell()')
  })

  it('a hook may declare the next steps it settles, by the keys ocvm knows', () => {
    const hook = {id: 'acme/svc', apiVersion: 1, description: 'd', appliesTo: {}, onError: 'continue', timeoutMs: 1000, check: async () => ({}), apply: async () => ({}), verify: async () => ({})}
    expect(PluginHookSchema.safeParse({...hook, settles: ['service']}).success).toBe(true)
    const parsed = PluginHookSchema.safeParse({...hook, settles: ['the-dishes']})
    expect(parsed.success).toBe(false)
    expect(describeIssues(parsed.error!)).toMatch(/^settles\.0: Invalid option: expected one of "service"\|"secrets"/)
  })
})

describe('DriverSet', () => {
  const builtin = defineDriver({name: 'file', apiVersion: 1, description: 'b', capabilities: caps, async probe() { return {available: true} }})
  it('keeps the built-in on a name clash and tells who holds the name', () => {
    const drivers = new DriverSet([builtin])
    const impostor = {...builtin, description: 'impostor'}
    expect(drivers.addPlugin(impostor, plugin)?.source).toBe('builtin')
    expect(drivers.get('file').description).toBe('b')
    expect(drivers.addPlugin({...builtin, name: 'x'}, plugin)).toBeUndefined()
    expect(drivers.entry('x')).toMatchObject({source: 'ocvm-driver-x', plugin})
  })

  it('explains a refused plugin driver instead of calling it unknown', () => {
    const drivers = new DriverSet([builtin])
    drivers.refuse('hyperv', new PluginIncompatibleError({plugin: 'p@1', what: 'driver "hyperv"', pluginApiVersion: 2, ocvmApiVersion: 1}))
    expect(() => drivers.get('hyperv')).toThrow(PluginIncompatibleError)
    expect(() => drivers.get('nope')).toThrow(DriverNotFoundError)
  })
})
