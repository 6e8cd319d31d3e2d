import {expect, it} from 'vitest'

import type {ImageDriver, VmInfo} from '../drivers/api.js'
import {expectOcvmError} from './expect-error.js'
import type {HarnessRun} from './harness-checks.js'
import {RULES, title} from './rules.js'

/** `provisionLike`, the move of drivers without export: a fresh VM on the target shaped like the source's. */
export function describeProvisionChecks(driver: ImageDriver, run: HarnessRun): void {
  const {vm: VM, moved: MOVED} = run
  if (driver.capabilities.export) {
    it(title(RULES.capabilities, 'a driver with export needs no provisionLike (a function if it has one)'), () => {
      expect(driver.provisionLike === undefined || typeof driver.provisionLike === 'function').toBe(true)
    })
    return
  }

  it(title([RULES.noExport, RULES.provisionLike], 'it creates a running VM shaped like the source; a dry run creates nothing'), async () => {
    const h = run.harness()
    expect(driver.provisionLike).toBeTypeOf('function')
    await driver.start(h.source, VM, h.ctx)
    const like: VmInfo = await driver.inspect(h.source, VM, h.ctx)
    await driver.stop(h.source, VM, h.ctx, {timeoutMs: 30_000, force: false})
    expect(like.cpus).toBeGreaterThan(0)
    const planned = await driver.provisionLike!(h.target, like, MOVED, h.ctx, true)
    expect(planned.name).toBe(MOVED)
    expect((await driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)

    const made = await driver.provisionLike!(h.target, like, MOVED, h.ctx, false)
    expect(made).toMatchObject({name: MOVED, state: 'running'})
    const info = await driver.inspect(h.target, MOVED, h.ctx)
    expect(info.cpus).toBe(like.cpus)
    const guest = await driver.guestShell(h.target, MOVED, h.ctx)
    expect((await guest.exec(h.guestProbe.argv)).stdout).toMatch(h.guestProbe.target)

    await expectOcvmError(driver.provisionLike!(h.target, like, MOVED, h.ctx, false), 'vm-exists')
    await driver.removeImported(h.target, MOVED, h.ctx)
    expect((await driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)
  })
}
