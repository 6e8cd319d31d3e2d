import {BugError} from '../errors.js'
import type {Driver, DriverHosts} from './api.js'

/**
 * The driver bound to a run's options and hosts (`Driver.configure`), or the driver itself when it
 * has no options to bind. Every command that runs verbs of an image driver goes through here, so
 * `--connect`/`--target-connect` reach every verb, not just the ones that take an options object.
 */
export async function configureDriver<T extends Driver>(driver: T, options: Record<string, unknown>, hosts: DriverHosts): Promise<T> {
  if (typeof driver.configure !== 'function') return driver
  const configured = await driver.configure(options, hosts)
  if (!configured || configured.name !== driver.name) throw new BugError(`driver ${driver.name}: configure() did not return a driver of the same name`)
  return configured as T
}
