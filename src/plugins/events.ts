import type {Hook, Interfaces} from '@oclif/core'

import type {Driver} from '../drivers/api.js'
import type {Hook as PostMigrateHook} from '../postmigrate/api.js'

/** The oclif hook event a driver plugin answers: `"oclif": {"hooks": {"ocvm:drivers": "./dist/hooks/drivers.js"}}`. */
export const DRIVERS_EVENT = 'ocvm:drivers'
/** The oclif hook event a post-migrate hook plugin answers. */
export const HOOKS_EVENT = 'ocvm:hooks'

/** What ocvm passes to every `ocvm:drivers` / `ocvm:hooks` handler. */
// A type alias, not an interface: oclif's Hooks wants options assignable to Record<string, unknown>.
export type PluginEventOptions = {
  /** The driver API version this ocvm speaks (`DRIVER_API_VERSION`). */
  driverApiVersion: number
  /** The post-migrate hook API version this ocvm speaks (`HOOK_API_VERSION`). */
  hookApiVersion: number
  /** ocvm's own package version, for messages. */
  ocvmVersion: string
}

/**
 * ocvm's custom oclif hook events. A plugin types its handler with them:
 * `const hook: DriversHook = async () => [myDriver]; export default hook`.
 */
export interface OcvmHooks extends Interfaces.Hooks {
  'ocvm:drivers': {options: PluginEventOptions; return: Driver | Driver[]}
  'ocvm:hooks': {options: PluginEventOptions; return: PostMigrateHook | PostMigrateHook[]}
}

/**
 * The handler of a driver plugin. It MUST only return driver objects: no processes, no network, no
 * writes (it runs on every command that resolves drivers, with a timeout). It MUST NOT throw for a
 * missing hypervisor: that is what `probe` reports.
 */
export type DriversHook = Hook<'ocvm:drivers', OcvmHooks>
/** The handler of a post-migrate hook plugin; same rules as `DriversHook`. */
export type PostMigrateHooksHook = Hook<'ocvm:hooks', OcvmHooks>
