import {expect, it} from 'vitest'

import {DRIVER_API_VERSION, isImageDriver, isStateDriver, type Driver} from '../drivers/api.js'
import {DRIVER_NAME_RE, DriverCapabilitiesSchema} from '../plugins/schema.js'
import {RULES, title} from './rules.js'

/** What the driver object declares, checked without a host. */
export function describeStaticChecks(driver: Driver): void {
  it(title(RULES.name), () => {
    expect(driver.name).toMatch(DRIVER_NAME_RE)
  })

  it(title(RULES.apiVersion, 'the version of the ocvm under test'), () => {
    expect(driver.apiVersion).toBe(DRIVER_API_VERSION)
  })

  it(title(RULES.description, 'not empty, no newline'), () => {
    expect(driver.description.trim()).not.toBe('')
    expect(driver.description).not.toContain('\n')
  })

  it(title([RULES.capabilities, RULES.imageVerbs, RULES.stateVerbs], 'well-formed; a state driver has no disk formats'), () => {
    expect(DriverCapabilitiesSchema.safeParse(driver.capabilities).error?.issues ?? []).toEqual([])
    if (driver.capabilities.level === 'image') expect(isImageDriver(driver), 'an image-level driver must implement the image verbs').toBe(true)
    if (driver.capabilities.level === 'state') {
      expect(isStateDriver(driver), 'a state-level driver must implement stateShell').toBe(true)
      expect(driver.capabilities.formats).toEqual([])
    }
  })
}
