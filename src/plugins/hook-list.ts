import type {Config} from '@oclif/core'

import type {Hook} from '../postmigrate/api.js'
import {collectPluginHooks, pluginEventTimeoutMs, type PluginSource, type PluginWarning} from './load.js'
import {pluginLabel} from './wrap.js'

export interface ListedHook {
  hook: Hook
  /** `builtin`, or the plugin package's name. */
  source: string
  plugin?: PluginSource
}

/**
 * The post-migrate hooks of a command run: the built-ins, then what plugins answer on `ocvm:hooks`
 * (ids in their own namespace; `ocvm/` is refused). The first holder of an id keeps it, with a warning.
 */
export async function createHookList(config: Config | undefined, builtins: readonly Hook[]): Promise<{hooks: ListedHook[]; warnings: PluginWarning[]}> {
  const hooks: ListedHook[] = builtins.map((hook) => ({hook, source: 'builtin'}))
  if (!config) return {hooks, warnings: []}
  const collected = await collectPluginHooks(config, pluginEventTimeoutMs())
  const warnings = [...collected.warnings]
  for (const {item: hook, plugin} of collected.items) {
    const holder = hooks.find((h) => h.hook.id === hook.id)
    if (holder) {
      const label = pluginLabel(plugin)
      warnings.push({plugin: label, kind: 'duplicate', message: `plugin ${label} registers hook "${hook.id}", which ${holder.plugin ? `plugin ${pluginLabel(holder.plugin)}` : 'ocvm'} already provides; keeping the first`})
      continue
    }
    hooks.push({hook, source: plugin.name, plugin})
  }
  return {hooks, warnings}
}
