import {expect, it} from 'vitest'

import type {Driver} from '../drivers/api.js'
import {RULES, title} from './rules.js'
import type {DriverContractSetup} from './setup.js'
import {inWorld} from './worlds.js'

/** `probe` in a world, and (when the setup has one) in a world without the driver's tool. */
export function describeProbeChecks(driver: Driver, setup: DriverContractSetup): void {
  it(title(RULES.probeChangesNothing, 'it resolves with a result (a detail when unavailable) and the world is unchanged'), async () => {
    await inWorld(setup.world, async (w) => {
      const before = await w.observe()
      const result = await driver.probe(w.host, w.ctx)
      expect(typeof result.available).toBe('boolean')
      if (!result.available) expect(result.detail ?? '').not.toBe('')
      expect(await w.observe()).toEqual(before)
    })
  })

  const without = setup.worldWithoutTool
  if (!without) return
  it(title(RULES.probeWithoutTool, 'in a world without the tool'), async () => {
    await inWorld(without, async (w) => {
      const result = await driver.probe(w.host, w.ctx)
      expect(result.available).toBe(false)
      expect(result.detail ?? '').not.toBe('')
    })
  })
}
