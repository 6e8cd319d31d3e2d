import {expect, it} from 'vitest'

import type {ImageDriver} from '../drivers/api.js'
import {expectOcvmError} from './expect-error.js'
import {RULES, title} from './rules.js'
import type {DriverContractSetup} from './setup.js'
import {freshName, inWorld} from './worlds.js'

/** The image verbs that only look (list, inspect, state, checkImport, configure), each in a fresh world. */
export function describeReadChecks(driver: ImageDriver, setup: DriverContractSetup): void {
  it(title(RULES.listInspectChangeNothing, 'list returns VMs with a name and a state, the VMs of the world among them'), async () => {
    await inWorld(setup.world, async (w) => {
      const before = await w.observe()
      const vms = await driver.list(w.host, w.ctx)
      for (const vm of vms) {
        expect(typeof vm.name).toBe('string')
        expect(['running', 'stopped', 'paused', 'suspended', 'busy', 'unknown']).toContain(vm.state)
      }
      const expected = Object.values(w.vms ?? {}).filter(Boolean)
      expect(vms.map((v) => v.name)).toEqual(expect.arrayContaining(expected))
      expect(await w.observe()).toEqual(before)
    })
  })

  it(title(RULES.listInspectChangeNothing, 'inspect describes every listed VM'), async () => {
    await inWorld(setup.world, async (w) => {
      const before = await w.observe()
      for (const vm of await driver.list(w.host, w.ctx)) {
        const info = await driver.inspect(w.host, vm.name, w.ctx)
        expect(info.name).toBe(vm.name)
        expect(Array.isArray(info.disks)).toBe(true)
      }
      expect(await w.observe()).toEqual(before)
    })
  })

  if (typeof driver.configure === 'function') {
    it(title(RULES.configureTouchesNoHost, 'with no options it returns the same driver, bound'), async () => {
      await inWorld(setup.world, async (w) => {
        const before = await w.observe()
        const bound = await driver.configure!({}, {source: w.host, target: w.host})
        expect(bound.name).toBe(driver.name)
        expect(bound.capabilities).toEqual(driver.capabilities)
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  if (typeof driver.checkImport === 'function') {
    it(title(RULES.checkImport, 'it accepts a fresh name and refuses one that exists'), async () => {
      await inWorld(setup.world, async (w) => {
        const stopped = w.vms?.stopped
        expect(stopped, 'the setup must provide vms.stopped for drivers with checkImport').toBeDefined()
        const before = await w.observe()
        const vm = await driver.inspect(w.host, stopped ?? '', w.ctx)
        await driver.checkImport!(w.host, {vm, targetName: freshName('check'), options: {}}, w.ctx)
        await expectOcvmError(driver.checkImport!(w.host, {vm, targetName: stopped ?? '', options: {}}, w.ctx))
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  if (typeof driver.state === 'function') {
    it(title(RULES.state, 'it agrees with inspect for every listed VM'), async () => {
      await inWorld(setup.world, async (w) => {
        const before = await w.observe()
        for (const vm of await driver.list(w.host, w.ctx)) expect(await driver.state!(w.host, vm.name, w.ctx), vm.name).toBe((await driver.inspect(w.host, vm.name, w.ctx)).state)
        await expectOcvmError(driver.state!(w.host, freshName('nosuch'), w.ctx))
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  if (typeof driver.autostart === 'function') {
    it(title(RULES.autostart, 'reading it twice agrees; turning it on and off is read back, and it ends as it began'), async () => {
      await inWorld(setup.world, async (w) => {
        const before = await w.observe()
        const vm = (await driver.list(w.host, w.ctx))[0]?.name ?? ''
        const was = await driver.autostart!(w.host, vm, w.ctx)
        expect(await driver.autostart!(w.host, vm, w.ctx)).toBe(was)
        expect(await driver.autostart!(w.host, vm, w.ctx, !was)).toBe(!was)
        expect(await driver.autostart!(w.host, vm, w.ctx)).toBe(!was)
        expect(await driver.autostart!(w.host, vm, w.ctx, was)).toBe(was)
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  it(title([RULES.errors, RULES.listInspectChangeNothing], 'inspect of an unknown VM'), async () => {
    await inWorld(setup.world, async (w) => {
      const before = await w.observe()
      await expectOcvmError(driver.inspect(w.host, freshName('missing'), w.ctx))
      expect(await w.observe()).toEqual(before)
    })
  })
}
