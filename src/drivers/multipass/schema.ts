import {z} from 'zod'

import {UnexpectedOutputError} from '../../errors.js'
import type {VmState} from '../api.js'
import {parseToolJson} from '../common/tool-output.js'

// Multipass prints sizes and counts as strings, "" when the instance is stopped (reference §3.2).
const numericString = z.string().regex(/^\d*$/, 'a number in a string')

/** `multipass list --format json`. */
export const mpListSchema = z.object({
  list: z.array(z.object({name: z.string(), state: z.string(), ipv4: z.array(z.string()), release: z.string()})),
})

/** `multipass info <name> --format json`. */
export const mpInfoSchema = z.object({
  errors: z.array(z.unknown()).optional(),
  info: z.record(
    z.string(),
    z.object({
      cpu_count: numericString,
      disks: z.record(z.string(), z.object({total: numericString.optional(), used: numericString.optional()})),
      image_release: z.string(),
      ipv4: z.array(z.string()),
      memory: z.object({total: z.number().optional(), used: z.number().optional()}),
      release: z.string(),
      state: z.string(),
    }),
  ),
})
export type MpInstance = z.infer<typeof mpInfoSchema>['info'][string]

export function parseMpList(stdout: string, host: string) {
  return parseToolJson('multipass', 'multipass list --format json', host, stdout, mpListSchema).list
}

export function parseMpInfo(stdout: string, name: string, host: string): MpInstance {
  const what = `multipass info ${name} --format json`
  const info = parseToolJson('multipass', what, host, stdout, mpInfoSchema).info[name]
  if (!info) throw new UnexpectedOutputError('multipass', what, `no entry for "${name}"`, host)
  return info
}

/** `""` (a stopped instance) → undefined. */
export const optionalInt = (text: string | undefined) => (text ? Number(text) : undefined)

export function mpState(state: string): VmState {
  switch (state) {
    case 'Running':
      return 'running'
    case 'Stopped':
      return 'stopped'
    case 'Suspended':
      return 'suspended'
    case 'Starting':
    case 'Restarting':
    case 'Delayed Shutdown':
    case 'Suspending':
      return 'busy'
    default:
      return 'unknown'
  }
}
