import {z} from 'zod'

import {USER_NAME_RE} from '../deployment/host-facts.js'
import {BugError, UsageError} from '../errors.js'
import type {HookContext} from './api.js'
import {SecretValues} from './secrets-input.js'

const abs = z.string().startsWith('/')

/** A source schedule as `inspect` found it (crontab lines with credentials already masked). */
const ScheduleSchema = z.object({
  kind: z.enum(['crontab', 'cron.d', 'logrotate', 'newsyslog', 'systemd-timer']),
  source: z.string(),
  lines: z.array(z.string()),
  envKeys: z.array(z.string()).default([]),
  purpose: z.array(z.string()).default([]),
})

/**
 * What the built-in hooks know about the deployment on the target (and, after a migration, about
 * its source). Never holds secret values: those travel in `secrets`, a SecretValues whose JSON form
 * is names only.
 */
export const TargetInputsSchema = z.object({
  user: z.string().regex(USER_NAME_RE),
  group: z.string().min(1),
  home: abs,
  stateDir: abs,
  configPath: abs,
  /** Gateway port (config `gateway.port`, default 18789). */
  port: z.number().int().min(1).max(65_535).default(18_789),
  /** OpenClaw profile: a second instance on the same host gets its own unit/label, port and secrets file. */
  instance: z.string().regex(/^[A-Za-z0-9_-]+$/).optional(),
  /** Workspaces and other roots outside the state dir (owned by the user too). */
  otherRoots: z.array(abs).default([]),
  /** Old → new directory prefixes (the migration's path map). */
  mappings: z.array(z.object({from: abs, to: abs})).default([]),
  /** Channels configured in openclaw.json. */
  channels: z.array(z.string()).default([]),
  source: z
    .object({
      host: z.string(),
      /** Host names and addresses the source was reached by (flagged when the target's config still names them). */
      names: z.array(z.string()).default([]),
      secretNames: z.array(z.string()).default([]),
      schedules: z.array(ScheduleSchema).default([]),
      /** The source exposed /googlechat through Tailscale Funnel. */
      funnel: z.boolean().default(false),
      /** The source was logged in to a tailnet: the target should join it too. */
      tailnet: z.boolean().default(false),
      /** Non-secret environment of the source's gateway service (JAVA_HOME, PATH…), re-detected on the target. */
      serviceEnv: z.record(z.string(), z.string()).default({}),
    })
    .optional(),
})

export type TargetInputs = z.infer<typeof TargetInputsSchema>

/** The hook's view of `ctx.options`, validated (a bad value is a bug of whoever built the context). */
export function targetInputs(ctx: HookContext): TargetInputs {
  const parsed = TargetInputsSchema.safeParse(ctx.options)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new BugError(`hook inputs are invalid: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim())
  }
  return parsed.data
}

/** The secret values given for this run (empty when none were). */
export function secretValues(ctx: HookContext): SecretValues {
  const value = ctx.options.secrets
  if (value === undefined) return new SecretValues(new Map())
  if (!(value instanceof SecretValues)) throw new UsageError('secrets must come from --secrets-file, stdin or the environment')
  return value
}

/** `openclaw-gateway.service` / `openclaw-gateway-<profile>.service`. */
export function unitName(inputs: Pick<TargetInputs, 'instance'>): string {
  return inputs.instance ? `openclaw-gateway-${inputs.instance}.service` : 'openclaw-gateway.service'
}

/** `ai.openclaw.gateway` / `ai.openclaw.<profile>`. */
export function launchdLabel(inputs: Pick<TargetInputs, 'instance'>): string {
  return inputs.instance ? `ai.openclaw.${inputs.instance}` : 'ai.openclaw.gateway'
}

/** Where the LaunchDaemon lives (macOS): its EnvironmentVariables hold the secrets. */
export function launchDaemonPath(inputs: Pick<TargetInputs, 'instance'>): string {
  return `/Library/LaunchDaemons/${launchdLabel(inputs)}.plist`
}

export function secretsFilePath(inputs: Pick<TargetInputs, 'instance'>): string {
  return inputs.instance ? `/etc/openclaw/secrets-${inputs.instance}.env` : '/etc/openclaw/secrets.env'
}

export function logDir(inputs: Pick<TargetInputs, 'stateDir'>): string {
  return `${inputs.stateDir}/logs`
}
