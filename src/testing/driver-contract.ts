import {describe, expect, it} from 'vitest'

import type {Context} from '../context.js'
import {DRIVER_API_VERSION, isImageDriver, type Driver, type ExportSet, type ImageDriver} from '../drivers/api.js'
import {OcvmError} from '../errors.js'
import type {HostSpec} from '../hosts/host-spec.js'
import {DRIVER_NAME_RE, DriverCapabilitiesSchema} from '../plugins/schema.js'

/** One fresh world for one contract test: a host the driver works on, and a way to look at it. */
export interface DriverContractWorld {
  host: HostSpec
  ctx: Context
  /**
   * A snapshot of everything the driver must not change behind the caller's back (the hypervisor's
   * VMs, their states and disks; for a state driver, the deployment's files). Compared with `toEqual`
   * before and after each read-only or refusing call.
   */
  observe(): Promise<unknown>
  /** VMs that exist in this world (image drivers): one running, one stopped. */
  vms?: {running?: string; stopped?: string}
  /** Puts an export's files where `importVm` expects them on `host` and returns that staging dir. */
  stage?(exportSet: ExportSet): Promise<string>
  cleanup?(): Promise<void>
}

export interface DriverContractSetup {
  /** Builds a fresh world for each test (a fake or real hypervisor with the VMs in `vms`). */
  world(): Promise<DriverContractWorld>
  /** A world where the driver's tool is not installed (e.g. PATH without it): probe must say so. */
  worldWithoutTool?(): Promise<DriverContractWorld>
}

async function inWorld(make: () => Promise<DriverContractWorld>, fn: (w: DriverContractWorld) => Promise<void>): Promise<void> {
  const world = await make()
  try {
    await fn(world)
  } finally {
    await world.cleanup?.()
  }
}

/** The call MUST fail with an OcvmError that carries a hint; returns it for further checks. */
export async function expectOcvmError(promise: Promise<unknown>): Promise<OcvmError> {
  let caught: unknown
  try {
    await promise
  } catch (error) {
    caught = error
  }
  expect(caught, 'the call must fail').toBeDefined()
  expect(caught, `expected an OcvmError, got: ${String(caught)}`).toBeInstanceOf(OcvmError)
  const error = caught as OcvmError
  expect(error.hint ?? '', `OcvmError "${error.message}" must carry a hint`).not.toBe('')
  return error
}

/** A name no world has: for "unknown VM" and fresh import targets. */
function freshName(tag: string): string {
  return `ocvm-contract-${tag}-${process.pid}`
}

/**
 * The driver contract (the MUST / MUST NOT rules of `Driver` and `ImageDriverVerbs` that can be
 * checked without knowing the hypervisor), as a vitest suite. Built-in drivers and plugins run the
 * same suite: `describeDriverContract(myDriver, {world: async () => ({...})})` in a `*.test.ts`.
 * Image drivers that export/import MUST offer `vms.running`, `vms.stopped` and `stage` in their world
 * (the checks fail saying so); the probe-without-tool check runs only when `worldWithoutTool` is given.
 */
export function describeDriverContract(driver: Driver, setup: DriverContractSetup): void {
  describe(`driver contract: ${driver.name}`, () => {
    it('declares a valid name, the current apiVersion, a one-line description and well-formed capabilities', () => {
      expect(driver.name).toMatch(DRIVER_NAME_RE)
      expect(driver.apiVersion).toBe(DRIVER_API_VERSION)
      expect(driver.description.trim()).not.toBe('')
      expect(driver.description).not.toContain('\n')
      expect(DriverCapabilitiesSchema.safeParse(driver.capabilities).error?.issues ?? []).toEqual([])
      if (driver.capabilities.level === 'image') expect(isImageDriver(driver), 'an image-level driver must implement the image verbs').toBe(true)
      if (driver.capabilities.level === 'state') expect(driver.capabilities.formats).toEqual([])
    })

    it('probe resolves with a result and changes nothing', async () => {
      await inWorld(setup.world, async (w) => {
        const before = await w.observe()
        const result = await driver.probe(w.host, w.ctx)
        expect(typeof result.available).toBe('boolean')
        if (!result.available) expect(result.detail ?? '').not.toBe('')
        expect(await w.observe()).toEqual(before)
      })
    })

    if (setup.worldWithoutTool) {
      const without = setup.worldWithoutTool
      it('probe without the tool resolves (never throws) with available: false and a detail that says what to install', async () => {
        await inWorld(without, async (w) => {
          const result = await driver.probe(w.host, w.ctx)
          expect(result.available).toBe(false)
          expect(result.detail ?? '').not.toBe('')
        })
      })
    }

    if (!isImageDriver(driver)) return
    describeImageVerbs(driver, setup)
  })
}

function describeImageVerbs(driver: ImageDriver, setup: DriverContractSetup): void {
  it('list returns VMs with a name and a state, and changes nothing', async () => {
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

  it('inspect describes every listed VM and changes nothing', async () => {
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
    it('configure with no options returns the same driver, bound, and touches no host', async () => {
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
    it('checkImport accepts a fresh name, refuses one that exists, and changes nothing', async () => {
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
    it('state agrees with inspect for every listed VM, fails for an unknown one, and changes nothing', async () => {
      await inWorld(setup.world, async (w) => {
        const before = await w.observe()
        for (const vm of await driver.list(w.host, w.ctx)) expect(await driver.state!(w.host, vm.name, w.ctx), vm.name).toBe((await driver.inspect(w.host, vm.name, w.ctx)).state)
        await expectOcvmError(driver.state!(w.host, freshName('nosuch'), w.ctx))
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  it('inspect of an unknown VM fails with an OcvmError and a hint', async () => {
    await inWorld(setup.world, async (w) => {
      const before = await w.observe()
      await expectOcvmError(driver.inspect(w.host, freshName('missing'), w.ctx))
      expect(await w.observe()).toEqual(before)
    })
  })

  if (driver.capabilities.export) {
    it('exportVm refuses a running VM and leaves it as it was', async () => {
      await inWorld(setup.world, async (w) => {
        const running = w.vms?.running
        expect(running, 'the setup must provide vms.running for image drivers that export').toBeDefined()
        const before = await w.observe()
        await expectOcvmError(driver.exportVm(w.host, running ?? '', w.ctx))
        expect(await w.observe()).toEqual(before)
      })
    })

    it('exportVm of a stopped VM returns files with safe relative paths and does not modify the VM', async () => {
      await inWorld(setup.world, async (w) => {
        const stopped = w.vms?.stopped
        expect(stopped, 'the setup must provide vms.stopped for image drivers that export').toBeDefined()
        const before = await w.observe()
        const set = await driver.exportVm(w.host, stopped ?? '', w.ctx)
        expect(set.vm.name).toBe(stopped)
        expect(set.files.length).toBeGreaterThan(0)
        for (const file of set.files) {
          expect(file.relPath).not.toMatch(/^\/|(^|\/)\.\.(\/|$)/)
          expect(file.bytes).toBeGreaterThanOrEqual(0)
        }
        expect(() => JSON.stringify(set.meta)).not.toThrow()
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  if (driver.capabilities.export && driver.capabilities.import) {
    const importCase = (title: string, fn: (w: DriverContractWorld, set: ExportSet, stagingDir: string) => Promise<void>) =>
      it(title, async () => {
        await inWorld(setup.world, async (w) => {
          if (!w.stage) throw new Error('the setup must provide stage() for image drivers that import')
          const set = await driver.exportVm(w.host, w.vms?.stopped ?? '', w.ctx)
          await fn(w, set, await w.stage(set))
        })
      })

    importCase('importVm refuses a name that exists (never overwrites) and changes nothing', async (w, exportSet, stagingDir) => {
      const before = await w.observe()
      const targetName = w.vms?.stopped ?? ''
      await expectOcvmError(driver.importVm(w.host, {exportSet, stagingDir, targetName, options: {}, dryRun: false}, w.ctx))
      expect(await w.observe()).toEqual(before)
    })

    importCase('importVm with dryRun validates and changes nothing', async (w, exportSet, stagingDir) => {
      const before = await w.observe()
      const targetName = freshName('dry')
      const summary = await driver.importVm(w.host, {exportSet, stagingDir, targetName, options: {}, dryRun: true}, w.ctx)
      expect(summary.name).toBe(targetName)
      expect(await w.observe()).toEqual(before)
      expect((await driver.list(w.host, w.ctx)).map((v) => v.name)).not.toContain(targetName)
    })

    importCase('importVm leaves the VM defined but not started, and removeImported undoes it', async (w, exportSet, stagingDir) => {
      const before = await w.observe()
      const targetName = freshName('imported')
      const summary = await driver.importVm(w.host, {exportSet, stagingDir, targetName, options: {}, dryRun: false}, w.ctx)
      expect(summary.name).toBe(targetName)
      const listed = (await driver.list(w.host, w.ctx)).find((v) => v.name === targetName)
      expect(listed?.state).toBe('stopped')
      await driver.removeImported(w.host, targetName, w.ctx)
      expect(await w.observe()).toEqual(before)
    })
  }
}
