import path from 'node:path'
import {z} from 'zod'

import type {Context} from '../../context.js'
import {OcvmError, UnsupportedError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {requireSpace} from '../../transfer/disk-space.js'
import type {ExportedFile, ExportSet} from '../api.js'
import {inspectDomain, statFile, type DomainFacts} from './inspect.js'
import * as v from './virsh.js'

/**
 * `exportVm`: the files of a shut-off domain and what `importVm` needs to recreate it. A disk with a
 * backing chain moves whole (each layer once, even when disks share it, relinked on the target), or,
 * with `--flatten`, as one standalone image that `qemu-img convert` writes into a scratch dir on the
 * source (the source's own images are only read).
 */

const IMAGE_FORMATS = ['raw', 'qcow2', 'vmdk'] as const
const ImageFormat = z.enum(IMAGE_FORMATS)

const Image = z.object({
  relPath: z.string().min(1),
  format: ImageFormat,
  virtualBytes: z.number().int().nonnegative(),
  /** Volume name in the target pool. */
  volume: z.string().min(1),
  /** relPath of the image this one is an overlay of (moved too), if any. */
  backing: z.string().min(1).optional(),
})

export const ExportMeta = z.object({
  xml: z.string().min(1),
  disks: z.array(Image.extend({target: z.string().min(1)})),
  /** The backing files of the disks' chains (when not flattened), each once. */
  backingImages: z.array(Image).default([]),
})
export type ExportMeta = z.infer<typeof ExportMeta>

const SAFE_VOL = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/

function volumeStem(vm: string): string {
  return vm.replaceAll(/[^A-Za-z0-9._+-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'vm'
}

/** Volume name on the target: the source file's name, or `<new name>-<target>.<format>` when renamed. */
export function targetVolumeName(sourceFile: string, sourceVm: string, targetVm: string, target: string, format: string): string {
  const base = path.posix.basename(sourceFile)
  if (sourceVm === targetVm && SAFE_VOL.test(base)) return base
  return `${volumeStem(targetVm)}-${target}.${format}`
}

/** Volume name of the k-th backing image: the source file's name, or `<new name>-base<k>.<format>` when renamed. */
export function backingVolumeName(sourceFile: string, sourceVm: string, targetVm: string, k: number, format: string): string {
  const base = path.posix.basename(sourceFile)
  if (sourceVm === targetVm && SAFE_VOL.test(base)) return base
  return `${volumeStem(targetVm)}-base${k}.${format}`
}

/** Volume names must be unique in the pool: a clash (equal file names in two dirs) gets a generated name. */
export function uniqueVolumes(meta: Pick<ExportMeta, 'disks' | 'backingImages'>, vm: string): void {
  const seen = new Set<string>()
  const claim = (image: {volume: string}, fallback: string) => {
    if (seen.has(image.volume)) image.volume = fallback
    seen.add(image.volume)
  }
  for (const d of meta.disks) claim(d, `${volumeStem(vm)}-${d.target}.${d.format}`)
  meta.backingImages.forEach((b, k) => claim(b, `${volumeStem(vm)}-base${k}.${b.format}`))
}

function imageFormat(format: string, file: string, disk: string): z.infer<typeof ImageFormat> {
  const parsed = ImageFormat.safeParse(format)
  if (parsed.success) return parsed.data
  throw new UnsupportedError(`backing file ${file} of disk ${disk} is in ${format} format`, 'Pass --flatten to move the disk as one standalone image, or convert that layer with qemu-img convert first.')
}

export async function exportVm(host: HostSpec, name: string, ctx: Context, uri: string, options: {flatten: boolean}): Promise<ExportSet> {
  const shell = ctx.shells.get(host)
  const vm = await inspectDomain(host, name, ctx, uri)
  if (vm.state !== 'stopped') {
    throw new OcvmError('vm-running', `${name} on ${shell.label} is ${vm.state}; a disk image is only consistent when the domain is shut off`, {
      hint: 'Let ocvm stop it (the migration does, gracefully), shut it down yourself, or use --live to move it while it runs.',
    })
  }
  const {xml, fileBytes, layers, ...info} = vm
  const files: ExportedFile[] = []
  const meta: ExportMeta = {xml, disks: [], backingImages: []}
  let scratchDir: string | undefined
  try {
    for (const d of vm.disks) {
      const chain = layers[d.target] ?? []
      // The transfer keeps file names; one dir per disk target keeps equal names apart.
      const relPath = `disks/${d.target}/${path.posix.basename(d.path)}`
      const disk = {target: d.target, relPath, format: d.format as z.infer<typeof ImageFormat>, virtualBytes: d.virtualBytes, volume: targetVolumeName(d.path, name, name, d.target, d.format)}
      if (chain.length > 0 && options.flatten) {
        scratchDir ??= await makeScratch(shell, vm)
        const out = path.posix.join(scratchDir, relPath)
        ctx.reporter.step(`Flattening ${d.target} (${[d.path, ...chain.map((c) => c.file)].join(' <- ')}) into one image on ${shell.label}`)
        await shell.exec(['mkdir', '-p', '--', path.posix.dirname(out)], {timeoutMs: v.TIMEOUTS.query})
        await shell.exec(v.qemuImgFlatten(d.path, d.format, out), {timeoutMs: v.TIMEOUTS.upload})
        files.push({source: out, relPath, bytes: (await statFile(shell, out)).bytes, sparse: true})
        meta.disks.push(disk)
        continue
      }
      files.push({source: d.path, relPath, bytes: fileBytes[d.target] ?? 0, sparse: true})
      const chainRel = await addBacking(shell, chain, d.target, name, files, meta)
      meta.disks.push({...disk, ...(chainRel[0] ? {backing: chainRel[0]} : {})})
    }
  } catch (error) {
    if (scratchDir) await shell.exec(['rm', '-rf', '--', scratchDir], {allowFailure: true, timeoutMs: v.TIMEOUTS.lifecycle})
    throw error
  }
  uniqueVolumes(meta, name)
  return {vm: info, files, meta, ...(scratchDir ? {scratchDir} : {})}
}

/** Adds a chain's layers (nearest first) to the export, each file once; returns their relPaths in chain order. */
async function addBacking(shell: Shell, chain: DomainFacts['layers'][string], disk: string, vm: string, files: ExportedFile[], meta: ExportMeta): Promise<string[]> {
  const rels: string[] = []
  for (const layer of chain) {
    const known = files.find((f) => f.source === layer.file && f.relPath.startsWith('backing/'))
    if (known) {
      rels.push(known.relPath)
      continue
    }
    const k = meta.backingImages.length
    const relPath = `backing/${k}/${path.posix.basename(layer.file)}`
    files.push({source: layer.file, relPath, bytes: (await statFile(shell, layer.file)).bytes, sparse: true})
    meta.backingImages.push({relPath, format: imageFormat(layer.format, layer.file, disk), virtualBytes: layer.virtualBytes, volume: backingVolumeName(layer.file, vm, vm, k, layer.format)})
    rels.push(relPath)
  }
  // Each layer's backing is the next one down (a shared layer has the same backing in every chain).
  rels.forEach((rel, i) => {
    const image = meta.backingImages.find((b) => b.relPath === rel)
    if (image && rels[i + 1] && !image.backing) image.backing = rels[i + 1]
  })
  return rels
}

/** A private dir under /var/tmp on the source for flattened images, after checking it has room for them. */
async function makeScratch(shell: Shell, vm: DomainFacts): Promise<string> {
  // A flattened image holds at most the data of all its layers.
  const chained = vm.disks.filter((d) => d.backingChain.length > 0)
  const data = chained.reduce((n, d) => n + d.allocatedBytes + (vm.layers[d.target] ?? []).reduce((m, l) => m + l.allocatedBytes, 0), 0)
  await requireSpace(shell, '/var/tmp', data, `Free space in /var/tmp on ${shell.label} for the flattened images, or move the chains whole (without --flatten).`)
  return (await shell.exec(['mktemp', '-d', '/var/tmp/ocvm-flatten.XXXXXX'], {timeoutMs: v.TIMEOUTS.query})).stdout.trim()
}
