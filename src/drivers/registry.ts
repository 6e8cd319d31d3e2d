import {DriverNotFoundError} from '../errors.js'
import type {Driver} from './api.js'

export interface RegisteredDriver {
  driver: Driver
  /** `builtin`, or the name of the plugin package that provided it. */
  source: string
}

/** The drivers known to one command run (built-ins now; plugins register through an oclif hook later). */
export class DriverRegistry {
  private readonly drivers = new Map<string, RegisteredDriver>()

  constructor(builtins: readonly Driver[]) {
    for (const driver of builtins) this.drivers.set(driver.name, {driver, source: 'builtin'})
  }

  list(): RegisteredDriver[] {
    return [...this.drivers.values()].sort((a, b) => a.driver.name.localeCompare(b.driver.name))
  }

  get(name: string): Driver {
    const entry = this.drivers.get(name)
    if (!entry) throw new DriverNotFoundError(name, [...this.drivers.keys()].sort())
    return entry.driver
  }
}
