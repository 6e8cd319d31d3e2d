import type {Config} from '@oclif/core'

import {collectPluginDrivers, pluginEventTimeoutMs, type PluginWarning} from './load.js'
import {pluginLabel} from './wrap.js'
import type {Driver} from '../drivers/api.js'
import {BUILTIN_DRIVERS} from '../drivers/builtin.js'
import {DriverSet} from '../drivers/driver-set.js'

export interface LoadedDrivers {
  drivers: DriverSet
  /** Plugins that failed, timed out, answered garbage, were incompatible or reused a name. */
  warnings: PluginWarning[]
}

export interface LoadDriversOptions {
  builtins?: readonly Driver[]
  timeoutMs?: number
}

/**
 * The one place that builds a command run's drivers: the built-ins, then whatever installed
 * plugins answer on `ocvm:drivers`. A name clash keeps the built-in (or the plugin sorted first).
 */
export async function loadDrivers(config: Config | undefined, options: LoadDriversOptions = {}): Promise<LoadedDrivers> {
  const drivers = new DriverSet(options.builtins ?? BUILTIN_DRIVERS)
  if (!config) return {drivers, warnings: []}
  const collected = await collectPluginDrivers(config, options.timeoutMs ?? pluginEventTimeoutMs())
  const warnings = [...collected.warnings]
  for (const [name, reason] of collected.refused) drivers.refuse(name, reason)
  for (const {item: driver, plugin} of collected.items) {
    const holder = drivers.addPlugin(driver, plugin)
    if (!holder) continue
    const label = pluginLabel(plugin)
    const by = holder.plugin ? `plugin ${pluginLabel(holder.plugin)}` : 'the built-in driver'
    warnings.push({
      plugin: label,
      kind: 'duplicate',
      message: `plugin ${label} registers driver "${driver.name}", which ${by} already provides; keeping ${by}`,
      hint: `Ask the plugin's author to choose another driver name, or remove one of them with \`ocvm plugins uninstall <plugin>\`.`,
    })
  }
  return {drivers, warnings}
}
