import {z} from 'zod'

import type {Context} from '../../context.js'
import {UnexpectedOutputError, UnsupportedError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {execAll, RUN_FIRST_FN, type BatchResult} from '../../hosts/batch.js'
import type {Shell} from '../../hosts/shell.js'
import type {VmDisk, VmInfo, VmNic} from '../api.js'
import {domainNotFound, runVirsh, tryVirsh} from './domain.js'
import {parseDomainXml, type XmlInterface} from './domain-xml.js'
import {isNotFound, parseDomblklist, parseDominfo, parseDomifaddr, parseQemuImgInfo, type BackingLayer} from './parse.js'
import * as v from './virsh.js'

/** What the driver's own verbs need beyond `VmInfo`: the definition, apparent file sizes, the layers of each chain. */
export interface DomainFacts extends VmInfo {
  xml: string
  /** Apparent size of each disk's top image, by disk target. */
  fileBytes: Record<string, number>
  /** Each disk's backing files (nearest first) with their format, by disk target. */
  layers: Record<string, BackingLayer[]>
}

const StatLine = z.tuple([z.coerce.number().int().nonnegative(), z.coerce.number().int().nonnegative()])

const statArgv = (file: string) => ['stat', '-L', '-c', '%s %b', '--', file]

function parseStat(stdout: string, file: string): {bytes: number; allocated: number} {
  const stat = StatLine.safeParse(stdout.trim().split(/\s+/))
  if (!stat.success) throw new UnexpectedOutputError('stat', statArgv(file).join(' '), 'not "<bytes> <blocks>"', undefined, {hint: 'The libvirt host needs GNU stat (coreutils); run again with --verbose to see what it printed.'})
  return {bytes: stat.data[0], allocated: stat.data[1] * 512}
}

/** Apparent size and allocated bytes of a file on the host. */
export async function statFile(shell: Shell, file: string): Promise<{bytes: number; allocated: number}> {
  return parseStat((await shell.exec(statArgv(file), {timeoutMs: v.TIMEOUTS.query})).stdout, file)
}

type ImageFacts = VmDisk & {fileBytes: number; layers: BackingLayer[]}

/** One disk's image facts from the host (qemu-img for format/virtual size/chain, stat for apparent size), in one round trip. */
async function imageFacts(shell: Shell, file: string): Promise<ImageFacts> {
  const [infoRun, statRun] = await execAll(shell, [v.qemuImgInfo(file), statArgv(file)], {timeoutMs: v.TIMEOUTS.query})
  // A failure is asked again on its own, for the usual error.
  const info = infoRun?.exitCode === 0 ? infoRun.stdout : (await shell.exec(v.qemuImgInfo(file), {timeoutMs: v.TIMEOUTS.query})).stdout
  const stat = statRun?.exitCode === 0 ? statRun.stdout : (await shell.exec(statArgv(file), {timeoutMs: v.TIMEOUTS.query})).stdout
  return toImageFacts(file, info, stat)
}

function toImageFacts(file: string, qemuImgInfo: string, stat: string): ImageFacts {
  const info = parseQemuImgInfo(qemuImgInfo)
  const {bytes, allocated} = parseStat(stat, file)
  return {target: '', path: file, format: info.format, virtualBytes: info.virtualBytes, allocatedBytes: info.allocatedBytes || allocated, backingChain: info.backingChain, fileBytes: bytes, layers: info.backing}
}

// A pool volume's file ($2.. : the first $1 words are vol-path's argv), then its stat and qemu-img
// facts (the rest of the words, the file appended): one round trip. Prints the file, stat's line,
// then qemu-img's JSON. Exit 9, 10, 11: that command failed (asked again on its own, for the usual
// error).
const VOLUME_FACTS_SCRIPT = String.raw`
${RUN_FIRST_FN}
n="$1"; shift
f=$(run_first "$n" "$@") || exit 9
shift "$n"
printf '%s\n' "$f"
stat -L -c '%s %b' -- "$f" || exit 10
"$@" "$f" || exit 11
`

/** A `volume` disk names a pool volume, not a path: the pool says where it lives, then as imageFacts. */
async function volumeFacts(shell: Shell, uri: string, pool: string, volume: string): Promise<ImageFacts> {
  const pathArgv = v.volPath(uri, pool, volume)
  const run = await shell.script(VOLUME_FACTS_SCRIPT, [String(pathArgv.length), ...pathArgv, ...v.qemuImgInfo('').slice(0, -1)], {timeoutMs: v.TIMEOUTS.query, allowFailure: true})
  const [file = '', stat = '', ...info] = run.stdout.split('\n')
  if (run.exitCode === 0) return toImageFacts(file, info.join('\n'), stat)
  return imageFacts(shell, run.exitCode === 9 ? (await runVirsh(shell, pathArgv)).stdout.trim() : file)
}

/** The domain's address: lease (libvirt DHCP), then the agent, then the ARP table; first IPv4. */
export async function guestAddress(shell: Shell, uri: string, name: string): Promise<string | undefined> {
  for (const source of ['lease', 'agent', 'arp'] as const) {
    const r = await tryVirsh(shell, v.domifaddr(uri, name, source))
    if (r.exitCode !== 0) continue
    const addr = parseDomifaddr(r.stdout).find((a) => a.protocol === 'ipv4' && !a.address.startsWith('127.'))
    if (addr) return addr.address
  }
  return undefined
}

export function toNic(i: XmlInterface): VmNic {
  const source = i.network ?? i.bridge ?? i.dev
  return {type: i.type, ...(i.mac ? {mac: i.mac} : {}), ...(source ? {source} : {}), ...(i.model ? {model: i.model} : {})}
}

/** dominfo + the inactive XML + domblklist + qemu-img per disk. Changes nothing. */
export async function inspectDomain(host: HostSpec, name: string, ctx: Context, uri: string): Promise<DomainFacts> {
  const shell = ctx.shells.get(host)
  // Three reads in one round trip; one that failed is asked again on its own, for the usual error.
  const [infoRun, xmlRun, blkRun] = await execAll(shell, [v.dominfo(uri, name), v.dumpxmlInactive(uri, name), v.domblklist(uri, name)], {timeoutMs: v.TIMEOUTS.query})
  const again = async (run: BatchResult | undefined, argv: string[]) => (run?.exitCode === 0 ? run.stdout : (await runVirsh(shell, argv)).stdout)
  if (infoRun?.exitCode !== 0) {
    if (isNotFound(infoRun?.stderr ?? '')) throw domainNotFound(name, shell, uri)
    await runVirsh(shell, v.dominfo(uri, name))
  }
  const info = parseDominfo(infoRun?.stdout ?? '')
  const xml = await again(xmlRun, v.dumpxmlInactive(uri, name))
  const dom = parseDomainXml(xml)
  const blk = parseDomblklist(await again(blkRun, v.domblklist(uri, name)))
  const devices = blk.filter((dev): dev is typeof dev & {source: string} => dev.device === 'disk' && Boolean(dev.source))
  for (const dev of devices) {
    if (dev.type !== 'file' && dev.type !== 'volume') {
      throw new UnsupportedError(`disk ${dev.target} of ${name} is a ${dev.type} device (${dev.source})`, 'The libvirt driver moves file-backed disks (dir pools, image files); move block/network disks with your storage tools.')
    }
  }
  // Every disk at once (one round trip each, side by side).
  const facts = await Promise.all(devices.map((dev) => {
    const xmlDisk = dom.disks.find((d) => d.target === dev.target)
    return dev.type === 'volume' && xmlDisk?.pool && xmlDisk.volume ? volumeFacts(shell, uri, xmlDisk.pool, xmlDisk.volume) : imageFacts(shell, dev.source)
  }))
  const disks: VmDisk[] = []
  const fileBytes: Record<string, number> = {}
  const layers: Record<string, BackingLayer[]> = {}
  devices.forEach((dev, i) => {
    const {fileBytes: bytes, layers: chain, ...disk} = facts[i]!
    fileBytes[dev.target] = bytes
    layers[dev.target] = chain
    disks.push({...disk, target: dev.target})
  })
  const address = info.state === 'running' ? await guestAddress(shell, uri, name) : undefined
  return {
    name: info.name,
    id: info.uuid,
    state: info.state,
    os: /<libosinfo:os id=['"][^'"]*(?:debian|ubuntu|fedora|centos|rhel|suse|alpine|arch)/i.test(xml) ? 'linux' : /libosinfo:os id=['"][^'"]*(?:win)/i.test(xml) ? 'windows' : 'unknown',
    arch: dom.arch === 'x86_64' ? 'x86_64' : dom.arch === 'aarch64' ? 'arm64' : 'unknown',
    cpus: info.cpus,
    memoryMiB: Math.round(info.maxMemoryKiB / 1024),
    disks,
    networks: dom.interfaces.map(toNic),
    ...(address ? {address} : {}),
    xml,
    fileBytes,
    layers,
  }
}
