import type {Hook as OclifEventHandler, Interfaces} from '@oclif/core'

import type {Driver} from '../drivers/api.js'
import type {Hook as PostMigrateHook} from '../postmigrate/api.js'

// In ocvm, "hook" means a post-migrate hook. oclif calls its events "hooks": a plugin lists its event
// handlers under `"oclif": {"hooks": {...}}` in package.json, and oclif's types and `runHook` use the
// same word. That config key and oclif's own identifiers keep oclif's word (oclif reads the key, and
// installed plugins already use it); ocvm's own names say "event".

/** The oclif event a driver plugin answers: `"oclif": {"hooks": {"ocvm:drivers": "./dist/events/drivers.js"}}`. */
export const DRIVERS_EVENT = 'ocvm:drivers'
/** The oclif event a post-migrate hook plugin answers, with its hooks. */
export const HOOKS_EVENT = 'ocvm:hooks'

/** What ocvm passes to every `ocvm:drivers` / `ocvm:hooks` handler. */
// A type alias, not an interface: oclif's event map wants options assignable to Record<string, unknown>.
export type PluginEventOptions = {
  /** The driver API version this ocvm speaks (`DRIVER_API_VERSION`). */
  driverApiVersion: number
  /** The post-migrate hook API version this ocvm speaks (`HOOK_API_VERSION`). */
  hookApiVersion: number
  /** ocvm's own package version, for messages. */
  ocvmVersion: string
}

/**
 * ocvm's custom oclif events. A plugin types its handler with them:
 * `const handler: DriversEventHandler = async () => [myDriver]; export default handler`.
 */
export interface OcvmEvents extends Interfaces.Hooks {
  'ocvm:drivers': {options: PluginEventOptions; return: Driver | Driver[]}
  'ocvm:hooks': {options: PluginEventOptions; return: PostMigrateHook | PostMigrateHook[]}
}

/**
 * The handler of a driver plugin. It MUST only return driver objects: no processes, no network, no
 * writes (it runs on every command that resolves drivers, with a timeout). It MUST NOT throw for a
 * missing hypervisor: that is what `probe` reports.
 */
export type DriversEventHandler = OclifEventHandler<'ocvm:drivers', OcvmEvents>
/** The handler of a post-migrate hook plugin (the `ocvm:hooks` event); same rules as `DriversEventHandler`. */
export type HooksEventHandler = OclifEventHandler<'ocvm:hooks', OcvmEvents>

/** @deprecated Renamed `OcvmEvents` (in ocvm a "hook" is a post-migrate hook); kept for existing plugins. */
export type OcvmHooks = OcvmEvents
/** @deprecated Renamed `DriversEventHandler`; kept for existing plugins. */
export type DriversHook = DriversEventHandler
/** @deprecated Renamed `HooksEventHandler`; kept for existing plugins. */
export type PostMigrateHooksHook = HooksEventHandler
