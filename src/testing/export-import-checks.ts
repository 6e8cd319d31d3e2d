import {expect, it} from 'vitest'

import type {ExportSet, ImageDriver} from '../drivers/api.js'
import {expectOcvmError} from './expect-error.js'
import {RULES, title} from './rules.js'
import type {DriverContractSetup, DriverContractWorld} from './setup.js'
import {freshName, inWorld} from './worlds.js'

/** A relPath that escapes the staging dir (absolute, or a `..` segment). */
export const UNSAFE_REL_PATH = /^\/|(^|\/)\.\.(\/|$)/

/** `exportVm` and `importVm` in one world each: refusals, a dry run, an import and its undo. */
export function describeExportImportChecks(driver: ImageDriver, setup: DriverContractSetup): void {
  if (driver.capabilities.export) {
    it(title([RULES.exportRefusesRunning, RULES.errors], 'the running VM is left as it was'), async () => {
      await inWorld(setup.world, async (w) => {
        const running = w.vms?.running
        expect(running, 'the setup must provide vms.running for image drivers that export').toBeDefined()
        const before = await w.observe()
        await expectOcvmError(driver.exportVm(w.host, running ?? '', w.ctx))
        expect(await w.observe()).toEqual(before)
      })
    })

    it(title(RULES.exportKeepsSource, 'exporting a stopped VM returns files with safe relative paths and JSON meta'), async () => {
      await inWorld(setup.world, async (w) => {
        const stopped = w.vms?.stopped
        expect(stopped, 'the setup must provide vms.stopped for image drivers that export').toBeDefined()
        const before = await w.observe()
        const set = await driver.exportVm(w.host, stopped ?? '', w.ctx)
        expect(set.vm.name).toBe(stopped)
        expect(set.files.length).toBeGreaterThan(0)
        for (const file of set.files) {
          expect(file.relPath).not.toMatch(UNSAFE_REL_PATH)
          expect(file.bytes).toBeGreaterThanOrEqual(0)
        }
        expect(() => JSON.stringify(set.meta)).not.toThrow()
        expect(await w.observe()).toEqual(before)
      })
    })
  }

  if (!(driver.capabilities.export && driver.capabilities.import)) return
  const importCase = (name: string, fn: (w: DriverContractWorld, set: ExportSet, stagingDir: string) => Promise<void>) =>
    it(name, async () => {
      await inWorld(setup.world, async (w) => {
        if (!w.stage) throw new Error('the setup must provide stage() for image drivers that import')
        const set = await driver.exportVm(w.host, w.vms?.stopped ?? '', w.ctx)
        await fn(w, set, await w.stage(set))
      })
    })

  importCase(title([RULES.importNoOverwrite, RULES.errors], 'importing over the stopped VM changes nothing'), async (w, exportSet, stagingDir) => {
    const before = await w.observe()
    const targetName = w.vms?.stopped ?? ''
    await expectOcvmError(driver.importVm(w.host, {exportSet, stagingDir, targetName, options: {}, dryRun: false}, w.ctx))
    expect(await w.observe()).toEqual(before)
  })

  importCase(title(RULES.importDryRun, 'it names the VM it would create and changes nothing'), async (w, exportSet, stagingDir) => {
    const before = await w.observe()
    const targetName = freshName('dry')
    const summary = await driver.importVm(w.host, {exportSet, stagingDir, targetName, options: {}, dryRun: true}, w.ctx)
    expect(summary.name).toBe(targetName)
    expect(await w.observe()).toEqual(before)
    expect((await driver.list(w.host, w.ctx)).map((v) => v.name)).not.toContain(targetName)
  })

  importCase(title([RULES.importNotStarted, RULES.removeImported], 'the world is as before'), async (w, exportSet, stagingDir) => {
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
