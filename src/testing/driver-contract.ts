import {describe, expect, it} from 'vitest'

import {isImageDriver, type Driver} from '../drivers/api.js'
import {describeExportImportChecks} from './export-import-checks.js'
import {describeHarnessChecks} from './harness-checks.js'
import {describeProbeChecks} from './probe-checks.js'
import {describeReadChecks} from './read-checks.js'
import type {DriverContractSetup} from './setup.js'
import {describeStaticChecks} from './static-checks.js'

/**
 * The driver contract (the MUST / MUST NOT rules of `Driver` and `ImageDriverVerbs` in
 * src/drivers/api.ts that can be checked without knowing the hypervisor) as a vitest suite; each
 * check's name quotes the rule it enforces. ocvm's built-in drivers and plugins run this same suite:
 * `describeDriverContract(myDriver, {world: async () => ({...})})` in a `*.test.ts`.
 *
 * - Every driver: what it declares (name, apiVersion, description, capabilities) and `probe`, in a
 *   `world`; without the tool too when the setup gives `worldWithoutTool`.
 * - Image drivers: the verbs that look or refuse, and a dry-run import, an import and its undo, each
 *   in a fresh `world`. A driver that exports and imports MUST give its world `vms.running`,
 *   `vms.stopped` and `stage` (the checks fail saying so).
 * - Image drivers that give a `harness` (two hosts): start, stop and the guest shell on a VM of
 *   their own, then its move to the other host (export → stage → import byte-exact and sparse, or
 *   `provisionLike` for drivers without export).
 */
export function describeDriverContract(driver: Driver, setup: DriverContractSetup): void {
  describe(`driver contract: ${driver.name}`, () => {
    describeStaticChecks(driver)
    describeProbeChecks(driver, setup)
    if (isImageDriver(driver)) {
      describeReadChecks(driver, setup)
      describeExportImportChecks(driver, setup)
      if (setup.harness) describeHarnessChecks(driver, setup.harness.bind(setup))
    } else if (setup.harness) {
      it('a harness is for image drivers (capabilities.level: image) only', () => {
        expect(driver.capabilities.level, 'the setup gives a harness to a driver without the image verbs').toBe('image')
      })
    }
  })
}
