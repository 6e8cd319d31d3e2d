import {posix} from 'node:path'
import {z} from 'zod'

import type {ExportSet, VmInfo} from '../../drivers/api.js'
import {OcvmError} from '../../errors.js'
import type {FileFacts} from '../../transfer/files.js'

/**
 * The manifest of a VM export (`ocvm export --driver <hypervisor>`): a dir (or a tar of it) holding
 * `ocvm-vm.json` and every file of the VM at its relPath (`disks/vda/web.qcow2`, `backing/0/base.qcow2`).
 * The manifest carries the driver's export set (for libvirt: the domain XML and the disk layout) and
 * the size and SHA-256 of every file, checked before anything is imported.
 */

export const VM_MANIFEST = 'ocvm-vm.json'
export const VM_ARCHIVE_FORMAT = 'ocvm-vm-export'
export const VM_ARCHIVE_VERSION = 1

/** Relative, normalised, no `..`, not the manifest: a path that stays inside the archive dir. */
const RelPath = z.string().min(1).refine((p) => !posix.isAbsolute(p) && posix.normalize(p) === p && !p.split('/').includes('..') && !p.includes('\0') && !p.includes('\n') && p !== VM_MANIFEST, 'not a safe relative path')

const Facts = z.object({
  relPath: RelPath, bytes: z.number().int().nonnegative(), allocated: z.number().int().nonnegative(), mtime: z.number().optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/), digest: z.enum(['sha256', 'tar-sparse']).optional(),
})

const VmInfoShape = z.object({name: z.string().min(1), state: z.string(), disks: z.array(z.object({target: z.string()}).passthrough())}).passthrough()

export const VmManifest = z.object({
  format: z.literal(VM_ARCHIVE_FORMAT),
  version: z.literal(VM_ARCHIVE_VERSION),
  createdAt: z.string(),
  driver: z.string().min(1),
  source: z.object({host: z.string(), vm: z.string().min(1), wasRunning: z.boolean()}),
  exportSet: z.object({
    vm: VmInfoShape,
    files: z.array(z.object({source: z.string(), relPath: RelPath, bytes: z.number().int().nonnegative(), sparse: z.boolean()})).min(1),
    meta: z.record(z.string(), z.unknown()),
  }),
  files: z.array(Facts).min(1),
}).superRefine((m, ctx) => {
  const listed = new Set(m.exportSet.files.map((f) => f.relPath))
  const summed = new Set(m.files.map((f) => f.relPath))
  if (listed.size !== m.exportSet.files.length || summed.size !== m.files.length || [...listed].some((p) => !summed.has(p)) || [...summed].some((p) => !listed.has(p))) {
    ctx.addIssue({code: 'custom', message: 'the file list and the checksums do not name the same files'})
  }
})

export interface VmManifest {
  format: typeof VM_ARCHIVE_FORMAT
  version: typeof VM_ARCHIVE_VERSION
  createdAt: string
  driver: string
  source: {host: string; vm: string; wasRunning: boolean}
  exportSet: ExportSet
  files: FileFacts[]
}

export function buildManifest(driver: string, sourceHost: string, wasRunning: boolean, exportSet: ExportSet, files: FileFacts[]): VmManifest {
  // The scratch dir was the source's business; the archive does not need it.
  const {scratchDir: _scratch, ...set} = exportSet
  return {format: VM_ARCHIVE_FORMAT, version: VM_ARCHIVE_VERSION, createdAt: new Date().toISOString(), driver, source: {host: sourceHost, vm: exportSet.vm.name, wasRunning}, exportSet: set, files}
}

/** Parses and checks a manifest's text; a bad one is an archive problem the user can act on. */
export function parseManifest(text: string, where: string): VmManifest {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw badArchive(where, `${VM_MANIFEST} is not JSON`)
  }
  const format = (json as {format?: unknown})?.format
  if (format !== VM_ARCHIVE_FORMAT) throw badArchive(where, `${VM_MANIFEST} is not an ocvm VM export (format ${JSON.stringify(format)})`)
  const parsed = VmManifest.safeParse(json)
  if (!parsed.success) throw badArchive(where, parsed.error.issues.map((i) => `${i.path.join('.') || 'manifest'}: ${i.message}`).slice(0, 3).join('; '))
  return {...parsed.data, exportSet: {...parsed.data.exportSet, vm: parsed.data.exportSet.vm as unknown as VmInfo}}
}

export function badArchive(where: string, why: string): OcvmError {
  return new OcvmError('archive-invalid', `${where} is not a usable VM export: ${why}`, {
    hint: 'Point ocvm import at the dir or .tar file that `ocvm export --driver <hypervisor>` wrote (it holds ocvm-vm.json); export again if it was damaged.',
  })
}
