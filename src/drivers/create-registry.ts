import type {Config} from '@oclif/core'

import {collectPluginDrivers, pluginEventTimeoutMs, type PluginWarning} from '../plugins/load.js'
import {pluginLabel} from '../plugins/wrap.js'
import type {Driver} from './api.js'
import {BUILTIN_DRIVERS} from './builtin.js'
import {DriverRegistry} from './registry.js'

export interface DriverRegistryResult {
  registry: DriverRegistry
  /** Plugins that failed, timed out, answered garbage, were incompatible or reused a name. */
  warnings: PluginWarning[]
}

export interface CreateRegistryOptions {
  builtins?: readonly Driver[]
  timeoutMs?: number
}

/**
 * The one place that builds a command run's drivers: the built-ins, then whatever installed
 * plugins answer on `ocvm:drivers`. A name clash keeps the built-in (or the plugin sorted first).
 */
export async function createDriverRegistry(config: Config | undefined, options: CreateRegistryOptions = {}): Promise<DriverRegistryResult> {
  const registry = new DriverRegistry(options.builtins ?? BUILTIN_DRIVERS)
  if (!config) return {registry, warnings: []}
  const collected = await collectPluginDrivers(config, options.timeoutMs ?? pluginEventTimeoutMs())
  const warnings = [...collected.warnings]
  for (const [name, reason] of collected.refused) registry.refuse(name, reason)
  for (const {item: driver, plugin} of collected.items) {
    const holder = registry.addPlugin(driver, plugin)
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
  return {registry, warnings}
}
