import type {Driver} from '../drivers/api.js'
import {OcvmError, PluginError} from '../errors.js'
import type {Hook} from '../postmigrate/api.js'

/** `ocvm-driver-virtualbox@0.1.0`: how a plugin is named in messages. */
export function pluginLabel(plugin: {name: string; version: string}): string {
  return `${plugin.name}@${plugin.version}`
}

/**
 * An error thrown by plugin code, made to say which plugin it came from. An OcvmError keeps its
 * class (the pipeline may test `instanceof`), code and hint; its message gets the plugin prefix.
 * One from another copy of ocvm (same shape, other class) or any other error becomes a PluginError.
 */
export function attributeError(label: string, what: string, error: unknown): Error {
  const prefix = `plugin ${label}`
  if (error instanceof OcvmError) {
    if (!error.message.startsWith(prefix)) error.message = `${prefix}: ${error.message}`
    ;(error.details as Record<string, unknown>).plugin ??= label
    return error
  }
  const e = error as {message?: unknown; code?: unknown; hint?: unknown}
  if (e && typeof e.code === 'string' && typeof e.message === 'string' && typeof e.hint === 'string') {
    return new OcvmError(e.code, `${prefix}: ${e.message}`, {hint: e.hint, cause: error, details: {plugin: label}})
  }
  const message = e && typeof e.message === 'string' ? e.message : String(error)
  return new PluginError(label, `${what} failed: ${message}`, error)
}

/**
 * A proxy of a plugin's driver or hook whose methods rethrow with the plugin's name. Arguments pass
 * through untouched, so `ImportRequest.dryRun` and every other field reach the plugin as given.
 */
export function attributeMethods<T extends Driver | Hook>(target: T, label: string, kind: 'driver' | 'hook'): T {
  const id = kind === 'driver' ? (target as Driver).name : (target as Hook).id
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver) as unknown
      if (typeof value !== 'function' || typeof prop !== 'string') return value
      return async (...args: unknown[]) => {
        try {
          const result = await (value as (...a: unknown[]) => unknown).apply(obj, args)
          // A driver bound to a run's options is still the plugin's: its verbs keep the attribution.
          return kind === 'driver' && prop === 'configure' && result && typeof result === 'object' ? attributeMethods(result as Driver, label, 'driver') : result
        } catch (error) {
          throw attributeError(label, `${kind} ${id}: ${prop}()`, error)
        }
      }
    },
  })
}
