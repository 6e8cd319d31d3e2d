import type {Context} from '../context.js'
import type {Shell} from '../hosts/shell.js'

/**
 * The post-migrate hook API version. Plugin hooks MUST set `apiVersion` to it; ocvm refuses a plugin
 * hook built for another version (the message names both).
 */
export const HOOK_API_VERSION = 1

/**
 * Where post-migrate hooks run: the target host over ssh, or a guest through its driver's native
 * exec. Same interface as a host Shell, so a hook never knows which one it got.
 */
export type GuestShell = Shell

export type TargetOs = 'linux' | 'macos'

/**
 * What a manual next step of `ocvm migrate` asks a person to do, by stable key. A hook that does it
 * names the key in `settles`; the migration drops the step once successful hooks settle all its keys.
 */
export const NEXT_STEP_KEYS = ['service', 'secrets', 'memory-index', 'extension-deps', 'signal-link'] as const
export type NextStepKey = (typeof NEXT_STEP_KEYS)[number]

/** What a hook is given: where it runs and what the migration knows. */
export interface HookContext extends Context {
  shell: GuestShell
  /** Detected on the target (`/etc/os-release`, `sw_vers`). */
  os: TargetOs
  /** The driver that moved the deployment (`file`, `libvirt`, ...). */
  driver: string
  /** `host` for bare-host targets, `guest` inside a VM. */
  where: 'host' | 'guest'
  dryRun: boolean
  /** Hook-specific inputs (target user, home, state dir, path map, secrets source), validated by the hook. */
  options: Record<string, unknown>
}

export interface HookCheck {
  /** Nothing to do: the target already has what the hook would apply. */
  satisfied: boolean
  /** What is missing or what would change, one line each (shown by `--dry-run`). */
  details: string[]
}

export interface HookOutcome {
  /** One line each: what the hook changed. */
  changed: string[]
  /** Things only a human can do (scan a QR code, set a webhook URL), with the exact step. */
  actions?: string[]
}

/**
 * A post-migrate hook. Contracts:
 * - `id` MUST be namespaced (`ocvm/services`, `acme/vpn`); plugins MUST NOT use the `ocvm/` namespace.
 * - `check` MUST NOT change anything; `apply` MUST be idempotent; `verify` MUST NOT change anything
 *   and reports whether the hook's result holds.
 * - Hooks MUST run every command through `ctx.shell` and MUST NOT put secret values in argv or
 *   in what they return.
 */
export interface Hook {
  readonly id: string
  /** `HOOK_API_VERSION` when the hook was built. Built-in hooks may omit it; plugin hooks MUST set it. */
  readonly apiVersion?: number
  readonly description: string
  readonly appliesTo: {os?: TargetOs[]; drivers?: string[]; where?: Array<'host' | 'guest'>}
  readonly onError: 'continue' | 'fail'
  readonly timeoutMs: number
  /**
   * The manual next steps of a migration this hook takes care of when it succeeds (`changed` or
   * `unchanged`): `ocvm migrate` then leaves them out of its next steps.
   */
  readonly settles?: readonly NextStepKey[]
  check(ctx: HookContext): Promise<HookCheck>
  apply(ctx: HookContext): Promise<HookOutcome>
  verify(ctx: HookContext): Promise<HookCheck>
}

/** Identity helper that type-checks a hook at its definition. */
export function defineHook<T extends Hook>(hook: T): T {
  return hook
}
