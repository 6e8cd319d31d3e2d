import {z} from 'zod'

import {UnexpectedOutputError} from '../../errors.js'
import type {GuestOs, VmState} from '../api.js'
import {parseToolJson} from '../common/tool-output.js'

/** `prlctl list -a -j` (reference §2.2, real capture on PD 26.4.0). */
export const prlListSchema = z.array(z.object({uuid: z.string(), status: z.string(), ip_configured: z.string(), name: z.string()}))
export type PrlListEntry = z.infer<typeof prlListSchema>[number]

const hddSchema = z.object({image: z.string(), size: z.string().optional(), enabled: z.boolean().optional()})

/** `prlctl list -i -j <vm>`: an array of one object (reference §2.2, jkmassel/prlctl fixture). */
export const prlInfoSchema = z.array(
  z.object({
    ID: z.string(),
    Name: z.string(),
    State: z.string(),
    OS: z.string(),
    Home: z.string(),
    Hardware: z
      .object({
        cpu: z.object({cpus: z.number().int().positive()}),
        memory: z.object({size: z.string().regex(/^\d+Mb$/, 'a size like "16384Mb"')}),
      })
      .catchall(z.unknown()),
    Network: z.object({ipAddresses: z.array(z.object({type: z.string(), ip: z.string()})).optional()}).optional(),
  }),
)
export type PrlInfo = z.infer<typeof prlInfoSchema>[number]

export function parsePrlList(stdout: string, host: string): PrlListEntry[] {
  return parseToolJson('prlctl', 'prlctl list -a -j', host, stdout, prlListSchema)
}

export function parsePrlInfo(stdout: string, vm: string, host: string): PrlInfo {
  const what = `prlctl list -i -j ${vm}`
  const list = parseToolJson('prlctl', what, host, stdout, prlInfoSchema)
  if (list.length !== 1) throw new UnexpectedOutputError('prlctl', what, `expected one VM, got ${list.length}`, host)
  return list[0]!
}

export interface PrlDisk {
  target: string
  image: string
  virtualBytes: number
}

/** The `hddN` devices of a VM (`size` is "<n>Mb"). */
export function prlDisks(info: PrlInfo): PrlDisk[] {
  return Object.entries(info.Hardware)
    .filter(([key]) => /^hdd\d+$/.test(key))
    .flatMap(([key, value]) => {
      const hdd = hddSchema.safeParse(value)
      if (!hdd.success || hdd.data.enabled === false) return []
      const mb = Number(/^(\d+)Mb$/.exec(hdd.data.size ?? '')?.[1] ?? 0)
      return [{target: key, image: hdd.data.image, virtualBytes: mb * 1024 * 1024}]
    })
}

export const memoryMiB = (info: PrlInfo): number => Number(info.Hardware.memory.size.slice(0, -2))

export function prlState(status: string): VmState {
  switch (status) {
    case 'running':
    case 'stopped':
    case 'suspended':
    case 'paused':
      return status
    case 'starting':
    case 'stopping':
    case 'resuming':
    case 'suspending':
      return 'busy'
    default:
      return 'unknown'
  }
}

export function prlOs(os: string): GuestOs {
  if (/mac/i.test(os)) return 'macos'
  if (/win/i.test(os)) return 'windows'
  if (/linux|ubuntu|debian|fedora|centos|rhel|suse/i.test(os)) return 'linux'
  return 'unknown'
}

/** The guest's IPv4 address: `Network.ipAddresses` (recent PD), else `ip_configured` of `list -f`. */
export function prlGuestAddress(info: PrlInfo, ipConfigured?: string): string | undefined {
  const ipv4 = (info.Network?.ipAddresses ?? []).find((a) => a.type === 'ipv4' && !a.ip.startsWith('169.254.'))
  if (ipv4) return ipv4.ip
  return ipConfigured && ipConfigured !== '-' && /^\d+\.\d+\.\d+\.\d+$/.test(ipConfigured) ? ipConfigured : undefined
}

/** `{"edition": "pro"}` from `prlsrvctl info --license --json`; the other keys are not relied on. */
export const prlLicenceSchema = z.object({edition: z.string()})
export const prlServerInfoSchema = z.object({'VM home': z.string().startsWith('/')})

/** Editions whose prlctl works (reference §2: "Starting since PD 11 only Pro and Business editions have CLI functionality"). */
export function editionHasCli(edition: string): boolean {
  return /pro|business|enterprise/i.test(edition)
}
