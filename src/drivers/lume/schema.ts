import {z} from 'zod'

import {UnexpectedOutputError} from '../../errors.js'
import type {GuestOs, VmState} from '../api.js'
import {parseToolJson} from '../common/tool-output.js'

/**
 * `lume ls -f json` / `lume get <name> -f json` (lume >= 0.2.50: every key present, null when
 * absent; reference/hypervisors.md §1.4). Unknown extra keys are allowed (lume adds fields over
 * time); a known key with another type is drift.
 */
export const lumeVmSchema = z.object({
  name: z.string().min(1),
  os: z.string(),
  cpuCount: z.number().int().nonnegative(),
  memorySize: z.number().int().nonnegative(),
  diskSize: z.object({allocated: z.number().nonnegative(), total: z.number().nonnegative()}),
  status: z.enum(['stopped', 'running', 'provisioning', 'provisioning (stale)', 'pulling']),
  ipAddress: z.string().nullable().optional(),
  sshAvailable: z.boolean().nullable().optional(),
  locationName: z.string(),
})
export type LumeVm = z.infer<typeof lumeVmSchema>

export const lumeVmListSchema = z.array(lumeVmSchema)

// `[2026-11-24T04:21:43Z] INFO: ...` — lume's Logger prints to stdout, before the JSON.
const LOG_LINE = /^\[[^\]]*\] [A-Z]+: /

/** Drops lume's log lines from stdout so only the JSON document is left (never string-match the JSON). */
export function stripLumeLogLines(stdout: string): string {
  return stdout
    .split('\n')
    .filter((line) => !LOG_LINE.test(line))
    .join('\n')
    .trim()
}

export function parseLumeVms(stdout: string, what: string, host: string): LumeVm[] {
  return parseToolJson('lume', what, host, stripLumeLogLines(stdout), lumeVmListSchema)
}

/** `lume get` prints an array of exactly one VM. */
export function parseLumeVm(stdout: string, what: string, host: string): LumeVm {
  const vms = parseLumeVms(stdout, what, host)
  if (vms.length !== 1) throw new UnexpectedOutputError('lume', what, `expected one VM, got ${vms.length}`, host)
  return vms[0]!
}

export function lumeState(status: LumeVm['status']): VmState {
  if (status === 'running') return 'running'
  if (status === 'stopped') return 'stopped'
  return 'busy'
}

export function lumeOs(os: string): GuestOs {
  const lower = os.toLowerCase()
  return lower === 'macos' ? 'macos' : lower === 'linux' ? 'linux' : 'unknown'
}
