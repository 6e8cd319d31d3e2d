import {z} from 'zod'

import {UnexpectedOutputError, UnsupportedError} from '../../errors.js'
import type {DiskFormat, VmState} from '../api.js'

/**
 * Parsers for what virsh 9 and qemu-img print (fixtures in test/fixtures/libvirt/ are captured from
 * the real tools). virsh has no JSON mode: tables and `Key: value` blocks, a trailing blank line.
 * Anything that does not match is drift and raises `unexpected-output` naming the command.
 */

function drift(command: string, why: string, text: string): UnexpectedOutputError {
  return new UnexpectedOutputError(command.split(' ')[0]!, command, why, undefined, {
    hint: 'ocvm supports libvirt 9 (virsh) and QEMU 7+ (qemu-img); run again with --verbose and report the output.',
    sample: text.slice(0, 400),
  })
}

/** `Key:   value` lines (dominfo, pool-info, vol-info) into a map; keys keep their spelling. */
export function parseKeyValues(text: string, command: string): Map<string, string> {
  const map = new Map<string, string>()
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    const match = /^([^:]+):\s*(.*)$/.exec(line)
    if (!match) throw drift(command, `line "${line}" is not "Key: value"`, text)
    map.set(match[1]!.trim(), match[2]!.trim())
  }
  return map
}

/** virsh state words (`domstate`, `dominfo`'s State) to ocvm's states. */
export function mapState(word: string): VmState {
  switch (word) {
    case 'running':
    case 'idle':
      return 'running'
    case 'shut off':
    case 'crashed':
      return 'stopped'
    case 'paused':
      return 'paused'
    case 'pmsuspended':
      return 'suspended'
    case 'in shutdown':
      return 'busy'
    default:
      return 'unknown'
  }
}

export interface DomState {
  state: VmState
  /** virsh's own words, e.g. `shut off`. */
  raw: string
  reason?: string
}

/** `domstate --reason`: `running (booted)`, `shut off (shutdown)`. */
export function parseDomstate(text: string): DomState {
  const line = text.trim()
  const match = /^([a-z ]+?)(?: \(([a-z ]+)\))?$/.exec(line)
  if (!match) throw drift('virsh domstate', `"${line}" is not a domain state`, text)
  const raw = match[1]!
  return {state: mapState(raw), raw, ...(match[2] ? {reason: match[2]} : {})}
}

export interface DomInfo {
  name: string
  uuid: string
  state: VmState
  osType: string
  cpus: number
  maxMemoryKiB: number
  persistent: boolean
  /** libvirtd starts it when the host boots (`virsh autostart`). */
  autostart: boolean
}

const KIB = /^(\d+) KiB$/

export function parseDominfo(text: string): DomInfo {
  const kv = parseKeyValues(text, 'virsh dominfo')
  const need = (key: string): string => {
    const value = kv.get(key)
    if (value === undefined) throw drift('virsh dominfo', `no "${key}" line`, text)
    return value
  }
  const memory = KIB.exec(need('Max memory'))
  const cpus = Number(need('CPU(s)'))
  if (!memory || !Number.isInteger(cpus)) throw drift('virsh dominfo', 'CPU(s) or Max memory is not a number', text)
  return {
    name: need('Name'),
    uuid: need('UUID'),
    state: mapState(need('State')),
    osType: need('OS Type'),
    cpus,
    maxMemoryKiB: Number(memory[1]),
    persistent: need('Persistent') === 'yes',
    autostart: kv.get('Autostart') === 'enable',
  }
}

/** `list --name`: one name per line (names cannot be empty). */
export function parseNames(text: string): string[] {
  return text.split('\n').filter((l) => l !== '')
}

export interface BlockDevice {
  type: string
  device: string
  target: string
  /** `undefined` for an empty drive (virsh prints `-`). */
  source?: string
}

/** Skips a table's header and its `-----` rule; returns the data rows. */
function tableRows(text: string, command: string, header: RegExp): string[] {
  const lines = text.split('\n')
  const start = lines.findIndex((l) => header.test(l))
  if (start < 0 || !/^-+$/.test(lines[start + 1]?.trim() ?? '')) throw drift(command, 'no table header', text)
  return lines.slice(start + 2).filter((l) => l.trim() !== '')
}

/** `domblklist --details`: `Type Device Target Source`; the source (a path) may contain spaces. */
export function parseDomblklist(text: string): BlockDevice[] {
  return tableRows(text, 'virsh domblklist', /^\s*Type\s+Device\s+Target\s+Source\s*$/).map((row) => {
    const match = /^\s*(\S+)\s+(\S+)\s+(\S+)\s+(.*?)\s*$/.exec(row)
    if (!match) throw drift('virsh domblklist', `row "${row}"`, text)
    const source = match[4]!
    return {type: match[1]!, device: match[2]!, target: match[3]!, ...(source === '-' || source === '' ? {} : {source})}
  })
}

export interface IfAddr {
  iface: string
  mac: string
  protocol: string
  address: string
  prefix: number
}

/** `domifaddr`: `Name MAC address Protocol Address`; further addresses of an interface show `-` for name and MAC. */
export function parseDomifaddr(text: string): IfAddr[] {
  const out: IfAddr[] = []
  let last: {iface: string; mac: string} | undefined
  for (const row of tableRows(text, 'virsh domifaddr', /^\s*Name\s+MAC address\s+Protocol\s+Address\s*$/)) {
    const cols = row.trim().split(/\s+/)
    if (cols.length !== 4) throw drift('virsh domifaddr', `row "${row}"`, text)
    if (!(cols[0] === '-' && cols[1] === '-' && last)) last = {iface: cols[0]!, mac: cols[1]!}
    const [protocol, cidr] = cols.slice(-2) as [string, string]
    // An interface the agent knows without any address: `N/A N/A`.
    if (protocol === 'N/A') continue
    const [address, prefix] = cidr.split('/')
    out.push({iface: last!.iface, mac: last!.mac, protocol, address: address!, prefix: Number(prefix)})
  }
  return out
}

const QemuImgEntry = z.object({
  filename: z.string(),
  format: z.string(),
  'virtual-size': z.number().int().nonnegative(),
  'actual-size': z.number().int().nonnegative().optional(),
  'backing-filename': z.string().optional(),
  'full-backing-filename': z.string().optional(),
})

export interface ImageInfo {
  format: DiskFormat
  virtualBytes: number
  allocatedBytes: number
  /** Backing files, nearest first. */
  backingChain: string[]
  /** The same backing files with their own format and size (moving a chain recreates each layer). */
  backing: BackingLayer[]
}

export interface BackingLayer {
  file: string
  format: string
  virtualBytes: number
  /** Bytes the layer occupies on the host (qemu-img's actual-size; 0 when unknown). */
  allocatedBytes: number
}

const FORMATS = new Set<DiskFormat>(['raw', 'qcow2', 'vmdk'])

/** `qemu-img info --output=json --backing-chain`: an array, the image first, then its backing files. */
export function parseQemuImgInfo(text: string): ImageInfo {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw drift('qemu-img info', 'not JSON', text)
  }
  const parsed = z.array(QemuImgEntry).min(1).safeParse(Array.isArray(json) ? json : [json])
  if (!parsed.success) throw drift('qemu-img info', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '), text)
  const [top, ...chain] = parsed.data
  if (!FORMATS.has(top!.format as DiskFormat)) {
    throw new UnsupportedError(`disk image ${top!.filename} is in ${top!.format} format`, 'The libvirt driver moves raw, qcow2 and vmdk images; convert it with qemu-img convert first.')
  }
  return {
    format: top!.format as DiskFormat,
    virtualBytes: top!['virtual-size'],
    allocatedBytes: top!['actual-size'] ?? 0,
    backingChain: chain.map((c) => c.filename),
    backing: chain.map((c) => ({file: c.filename, format: c.format, virtualBytes: c['virtual-size'], allocatedBytes: c['actual-size'] ?? 0})),
  }
}

export interface VolInfo {
  capacityBytes: number
  allocationBytes: number
}

/** `vol-info --bytes`. */
export function parseVolInfo(text: string): VolInfo {
  const kv = parseKeyValues(text, 'virsh vol-info')
  const bytes = (key: string): number => {
    const match = /^(\d+) bytes$/.exec(kv.get(key) ?? '')
    if (!match) throw drift('virsh vol-info', `"${key}" is not "<n> bytes"`, text)
    return Number(match[1])
  }
  return {capacityBytes: bytes('Capacity'), allocationBytes: bytes('Allocation')}
}

/** `pool-info`: whether the pool is usable (running). */
export function parsePoolState(text: string): string {
  const state = parseKeyValues(text, 'virsh pool-info').get('State')
  if (!state) throw drift('virsh pool-info', 'no "State" line', text)
  return state
}

/** virsh's message for a name it does not know (domain, pool, volume). */
export function isNotFound(stderr: string): boolean {
  return /failed to get (domain|pool|vol)|not found|no (domain|storage pool|storage vol) with matching/i.test(stderr)
}
