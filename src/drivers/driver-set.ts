import {DriverNotFoundError, type OcvmError} from '../errors.js'
import type {Driver} from './api.js'

/** The plugin package a driver (or hook) came from. */
export interface PluginSource {
  name: string
  version: string
  /** oclif's plugin type: `user` (plugins install), `link` (plugins link), `core`, `dev`. */
  type: string
}

export interface DriverEntry {
  driver: Driver
  /** `builtin`, or the name of the plugin package that provided it. */
  source: string
  /** The plugin package (name, version, install type) when `source` is not `builtin`. */
  plugin?: PluginSource
}

/**
 * The drivers known to one command run, by name: built-ins first, then plugin drivers. Loaded per
 * run (src/plugins/load-drivers.ts), never a module-global map.
 */
export class DriverSet {
  private readonly drivers = new Map<string, DriverEntry>()
  private readonly refused = new Map<string, OcvmError>()

  constructor(builtins: readonly Driver[]) {
    for (const driver of builtins) this.drivers.set(driver.name, {driver, source: 'builtin'})
  }

  /** Adds a plugin's driver unless the name is taken; returns the entry that holds the name then. */
  addPlugin(driver: Driver, plugin: PluginSource): DriverEntry | undefined {
    const existing = this.drivers.get(driver.name)
    if (existing) return existing
    this.drivers.set(driver.name, {driver, source: plugin.name, plugin})
    return undefined
  }

  /** Remembers why a plugin's driver was not loaded, so `get(name)` can say so instead of "unknown". */
  refuse(name: string, reason: OcvmError): void {
    if (!this.drivers.has(name)) this.refused.set(name, reason)
  }

  list(): DriverEntry[] {
    return [...this.drivers.values()].sort((a, b) => a.driver.name.localeCompare(b.driver.name))
  }

  entry(name: string): DriverEntry {
    const entry = this.drivers.get(name)
    if (entry) return entry
    throw this.refused.get(name) ?? new DriverNotFoundError(name, [...this.drivers.keys()].sort())
  }

  get(name: string): Driver {
    return this.entry(name).driver
  }
}
