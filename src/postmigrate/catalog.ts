import {UsageError} from '../errors.js'
import type {Hook} from './api.js'
import {extensions} from './hooks/extensions.js'
import {memoryIndex} from './hooks/memory-index.js'
import {networking} from './hooks/networking.js'
import {pathRewrite} from './hooks/path-rewrite.js'
import {permissions} from './hooks/permissions.js'
import {schedules} from './hooks/schedules.js'
import {secrets} from './hooks/secrets.js'
import {services} from './hooks/services.js'
import {signal} from './hooks/signal.js'
import {tailscale} from './hooks/tailscale.js'

// The catalog of post-migrate hooks: the built-ins, in run order, and picking hooks by id.

/**
 * The built-in hooks in the order they run: files first (paths, owners), then what the service
 * reads at start (secrets, plugins, index), the service itself, what runs beside it, and last the
 * steps that may wait for a human (Signal's QR code).
 */
export const BUILTIN_HOOKS: readonly Hook[] = [pathRewrite, permissions, secrets, extensions, memoryIndex, services, schedules, networking, tailscale, signal]

/** What `ocvm migrate` runs after commit unless told otherwise (`--hooks`, `--skip-hooks`). */
export const DEFAULT_HOOK_IDS: readonly string[] = BUILTIN_HOOKS.map((h) => h.id)

const ID_RE = /^[a-z0-9][a-z0-9-]*\/[a-z0-9][a-z0-9-]*$/

/** The hook ids contract: namespaced, lowercase. */
export function isHookId(id: string): boolean {
  return ID_RE.test(id)
}

/** Picks hooks by id from `available`, in the order given; unknown ids are a usage error. */
export function selectHooks(ids: readonly string[], available: readonly Hook[] = BUILTIN_HOOKS): Hook[] {
  const byId = new Map(available.map((h) => [h.id, h]))
  const unknown = ids.filter((id) => !byId.has(id))
  if (unknown.length > 0) {
    throw new UsageError(`unknown hook${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `\`ocvm hooks list\` shows the hooks; ids are namespaced, e.g. ocvm/services.`)
  }
  return ids.map((id) => byId.get(id) as Hook)
}
