import {expect, it} from 'vitest'

import type {ImageDriver} from '../drivers/api.js'
import {UNSAFE_REL_PATH} from './export-import-checks.js'
import {expectOcvmError} from './expect-error.js'
import type {HarnessRun} from './harness-checks.js'
import {allocated, checksums, disksOnly} from './host-files.js'
import {RULES, title} from './rules.js'

/**
 * The harness's stopped VM moved onto the target with the driver's own verbs, as the pipeline does:
 * export on the source, the harness stages the files on the target, import there. Drivers without
 * export MUST say so instead.
 */
export function describeMoveChecks(driver: ImageDriver, run: HarnessRun): void {
  const {vm: VM, moved: MOVED} = run
  if (!driver.capabilities.export) {
    it(title([RULES.noExport, RULES.errors], 'exportVm and importVm are unsupported'), async () => {
      const {source, target, ctx} = run.harness()
      await expectOcvmError(driver.exportVm(source, VM, ctx), 'unsupported')
      const vm = await driver.inspect(source, VM, ctx)
      const exportSet = {vm, files: [], meta: {}}
      await expectOcvmError(driver.importVm(target, {exportSet, stagingDir: '/nonexistent', targetName: MOVED, options: {}, dryRun: true}, ctx), 'unsupported')
    })
    return
  }

  it(title([RULES.move, RULES.importDryRun, RULES.importNotStarted, RULES.removeImported], 'export → stage → import moves the VM byte-exact and sparse; a second import is refused; the copy boots on the target'), async () => {
    const h = run.harness()
    if (!h.stage) throw new Error('the harness must provide stage() for image drivers that export')
    const exported = await driver.exportVm(h.source, VM, h.ctx)
    expect(exported.vm.name).toBe(VM)
    expect(exported.files.length).toBeGreaterThan(0)
    for (const f of exported.files) expect(f.relPath).not.toMatch(UNSAFE_REL_PATH)
    const sparse = exported.files.filter((f) => f.sparse)
    expect(sparse.length).toBeGreaterThan(0)
    const before = await checksums(h.ctx, h.source, exported)

    const stagingDir = await h.stage(exported)
    const request = {exportSet: exported, stagingDir, targetName: MOVED, options: h.importOptions ?? {}}
    const planned = await driver.importVm(h.target, {...request, dryRun: true}, h.ctx)
    expect(planned.name).toBe(MOVED)
    expect((await driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)

    const imported = await driver.importVm(h.target, {...request, dryRun: false}, h.ctx)
    expect(imported).toMatchObject({name: MOVED, state: 'stopped'})
    const onTarget = await driver.inspect(h.target, MOVED, h.ctx)
    expect(onTarget).toMatchObject({name: MOVED, state: 'stopped', cpus: exported.vm.cpus, memoryMiB: exported.vm.memoryMiB})

    const reExported = await driver.exportVm(h.target, MOVED, h.ctx)
    expect(reExported.files.length).toBe(exported.files.length)
    const disksBefore = await checksums(h.ctx, h.source, exported, disksOnly)
    const disksAfter = await checksums(h.ctx, h.target, reExported, disksOnly)
    expect(Object.values(disksAfter).sort()).toEqual(Object.values(disksBefore).sort())
    for (const f of reExported.files.filter((x) => x.sparse)) {
      expect(await allocated(h.ctx, h.target, f.source)).toBeLessThan(f.bytes)
    }
    // The source is untouched.
    expect(await checksums(h.ctx, h.source, exported)).toEqual(before)
    expect((await driver.inspect(h.source, VM, h.ctx)).state).toBe('stopped')

    // Never overwrite: a second import of the same name is refused.
    await expectOcvmError(driver.importVm(h.target, {...request, stagingDir: await h.stage(exported), dryRun: false}, h.ctx), 'vm-exists')

    // The imported VM boots and its guest is the target's.
    await driver.start(h.target, MOVED, h.ctx)
    const guest = await driver.guestShell(h.target, MOVED, h.ctx)
    expect((await guest.exec(h.guestProbe.argv)).stdout).toMatch(h.guestProbe.target)

    await driver.removeImported(h.target, MOVED, h.ctx)
    expect((await driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)
    await driver.removeImported(h.target, MOVED, h.ctx)
    expect((await driver.list(h.source, h.ctx)).map((v) => v.name)).toContain(VM)
  })
}
