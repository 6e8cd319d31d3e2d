import type {Config} from '@oclif/core'
import type {z} from 'zod'
import type {PluginSource} from '../drivers/driver-set.js'

import {DRIVER_API_VERSION, type Driver} from '../drivers/api.js'
import {PluginIncompatibleError, UsageError} from '../errors.js'
import {HOOK_API_VERSION, type Hook} from '../postmigrate/api.js'
import {DRIVERS_EVENT, HOOKS_EVENT, type PluginEventOptions} from './events.js'
import {provideOcvmToPlugins} from './ocvm-resolver.js'
import {describeIssues, PluginDriverSchema, PluginHookSchema} from './schema.js'
import {attributeMethods, pluginLabel} from './wrap.js'

/** Where a plugin-provided driver or hook came from. */
export type {PluginSource}

export type PluginWarningKind = 'failed' | 'timeout' | 'invalid' | 'incompatible' | 'duplicate'

/** A plugin that could not contribute (or not everything): shown as a warning, ocvm goes on. */
export interface PluginWarning {
  plugin: string
  kind: PluginWarningKind
  message: string
  hint?: string
}

export interface Contribution<T> {
  item: T
  plugin: PluginSource
}

export interface Collected<T> {
  items: Array<Contribution<T>>
  /** Items refused for their apiVersion, by name/id, so asking for one explains why it is missing. */
  refused: Map<string, PluginIncompatibleError>
  warnings: PluginWarning[]
}

/** How long a plugin's event handler may take; handlers only return objects, so this is generous. */
export const PLUGIN_EVENT_TIMEOUT_MS = 5000

/** The handler timeout: OCVM_PLUGIN_TIMEOUT_MS (milliseconds) or the default. */
export function pluginEventTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.OCVM_PLUGIN_TIMEOUT_MS
  if (raw === undefined || raw === '') return PLUGIN_EVENT_TIMEOUT_MS
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms < 1 || ms > 600_000) throw new UsageError(`OCVM_PLUGIN_TIMEOUT_MS="${raw}" is not a number of milliseconds from 1 to 600000`, 'Unset it to use the default (5000), or set e.g. OCVM_PLUGIN_TIMEOUT_MS=15000 for plugins on a slow disk.')
  return ms
}

interface EventSpec<T> {
  event: string
  what: 'driver' | 'hook'
  schema: z.ZodType
  apiVersion: number
  key(item: T): string
}

function eventOptions(config: Config): PluginEventOptions {
  return {driverApiVersion: DRIVER_API_VERSION, hookApiVersion: HOOK_API_VERSION, ocvmVersion: config.version}
}

async function collect<T extends Driver | Hook>(config: Config, spec: EventSpec<T>, timeoutMs: number): Promise<Collected<T>> {
  // Most installs have no plugin for this event: skip the ocvm resolver (a loader thread) and runHook.
  if (![...config.plugins.values()].some((p) => (p.hooks[spec.event]?.length ?? 0) > 0)) return {items: [], refused: new Map(), warnings: []}
  provideOcvmToPlugins()
  // oclif's event timeout timer is unref'd: a handler whose promise never settles (and holds nothing
  // open) would let Node exit mid-command (code 13). Keep the process alive until the timeout fires.
  const keepAlive = setTimeout(() => {}, timeoutMs + 1000)
  const {successes, failures} = await config.runHook(spec.event, eventOptions(config), timeoutMs, true).finally(() => clearTimeout(keepAlive))
  const warnings: PluginWarning[] = []
  const refused = new Map<string, PluginIncompatibleError>()
  const items: Array<Contribution<T>> = []

  for (const {plugin, error} of failures) {
    const label = pluginLabel(plugin)
    const timedOut = /^Timed out after \d+ ms/.test(error.message)
    warnings.push({
      plugin: label,
      kind: timedOut ? 'timeout' : 'failed',
      message: timedOut
        ? `plugin ${label} did not answer ${spec.event} within ${timeoutMs} ms; its ${spec.what}s are not available`
        : `plugin ${label} failed to load its ${spec.what}s: ${error.message.split('\n')[0]}`,
      hint: `Run with DEBUG=${plugin.name}:* for details; \`ocvm plugins uninstall ${plugin.name}\` removes it.`,
    })
  }

  // runHook runs plugins in parallel; sort so that "first plugin wins" on a duplicate is stable.
  const sorted = [...successes].sort((a, b) => a.plugin.name.localeCompare(b.plugin.name))
  for (const {plugin, result} of sorted) {
    const source: PluginSource = {name: plugin.name, version: plugin.version, type: plugin.type}
    const label = pluginLabel(plugin)
    const answers = Array.isArray(result) ? (result as unknown[]) : result === undefined ? [] : [result]
    for (const [index, answer] of answers.entries()) {
      const parsed = spec.schema.safeParse(answer)
      if (!parsed.success) {
        warnings.push({plugin: label, kind: 'invalid', message: `plugin ${label} answered ${spec.event} with an invalid ${spec.what} (#${index + 1}): ${describeIssues(parsed.error)}`})
        continue
      }
      const item = answer as T
      if (item.apiVersion !== spec.apiVersion) {
        const error = new PluginIncompatibleError({plugin: label, what: `${spec.what} "${spec.key(item)}"`, pluginApiVersion: item.apiVersion, ocvmApiVersion: spec.apiVersion})
        refused.set(spec.key(item), error)
        warnings.push({plugin: label, kind: 'incompatible', message: error.message, ...(error.hint ? {hint: error.hint} : {})})
        continue
      }
      items.push({item: attributeMethods(item, label, spec.what), plugin: source})
    }
  }
  return {items, refused, warnings}
}

/** Asks every installed plugin for drivers (`ocvm:drivers`). Never throws for a plugin's fault. */
export function collectPluginDrivers(config: Config, timeoutMs = PLUGIN_EVENT_TIMEOUT_MS): Promise<Collected<Driver>> {
  return collect<Driver>(config, {event: DRIVERS_EVENT, what: 'driver', schema: PluginDriverSchema, apiVersion: DRIVER_API_VERSION, key: (d) => d.name}, timeoutMs)
}

/** Asks every installed plugin for post-migrate hooks (`ocvm:hooks`). Never throws for a plugin's fault. */
export function collectPluginHooks(config: Config, timeoutMs = PLUGIN_EVENT_TIMEOUT_MS): Promise<Collected<Hook>> {
  return collect<Hook>(config, {event: HOOKS_EVENT, what: 'hook', schema: PluginHookSchema, apiVersion: HOOK_API_VERSION, key: (h) => h.id}, timeoutMs)
}
