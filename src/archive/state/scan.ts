import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {open, stat} from 'node:fs/promises'
import {posix} from 'node:path'
import {Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip} from 'node:zlib'

import {OcvmError} from '../../errors.js'
import type {Runner} from '../../exec/runner.js'
import type {Manifest, ManifestEntry} from '../../transfer/manifest.js'
import {diffManifests, isClean} from '../../transfer/manifest.js'
import {type Compression, detectCompression, META_NAME, ocvmArchiveMeta, openclawBackupManifest, rootPrefix} from './format.js'
import {TarFormatError, TarReader, type TarEntry} from './tar.js'
import {ArchiveRefusal, EntryValidator, safeRelative} from './validate.js'

/** One tree in the archive and where it came from. */
export interface ScannedRoot {
  index: number
  kind: 'state' | 'workspace'
  label: string
  /** Absolute path on the machine the archive was made on. */
  source: string
  /** Its directory inside the archive. */
  archivePath: string
  /** Computed from the archive's own bytes while it was read. */
  manifest: Manifest
}

export interface ArchiveScan {
  file: string
  format: 'ocvm' | 'openclaw-backup'
  compression: Compression
  /** SHA-256 of the archive file itself. */
  sha256: string
  archiveBytes: number
  /** Length of the decompressed tar stream: extraction on the target is cut off after it. */
  tarBytes: number
  /** Sum of the file sizes the archive declares. */
  declaredBytes: number
  entries: number
  source: {user: string; home: string; stateDir: string; configPath: string; configFiles: string[]; version?: string; layout: string}
  roots: ScannedRoot[]
  quiesced?: boolean
  /** Small JSON files (archive path → text), kept only when asked for (dry-run previews). */
  texts: Map<string, string>
  warnings: string[]
}

export interface ScanOptions {
  runner: Runner
  /** Keep small JSON texts for a dry-run's rewrite preview. */
  keepTexts?: boolean
  /** Unpacked size bound; default: 200 times the archive's size, at least 256 MiB. */
  maxTotalBytes?: number
  signal?: AbortSignal
  /** Archive bytes read so far (of the file's size). */
  onProgress?: (bytes: number) => void
}

const KEEP_TEXT_MAX = 1024 * 1024
const KEEP_TEXTS_TOTAL = 64 * 1024 * 1024

export function defaultUnpackBound(archiveBytes: number): number {
  return Math.max(archiveBytes * 200, 256 * 1024 * 1024)
}

interface Seen {
  rel: string
  entry: TarEntry
  sha256?: string
}

/**
 * Reads a local archive once, start to end, without writing anything: detects its format,
 * validates every entry (see validate.ts), checksums every file, and for ocvm's own format checks
 * the content against the manifest inside. Throws `archive-refused` / `archive-corrupt` on the
 * first problem; a refused archive is never extracted.
 */
export async function scanArchive(file: string, options: ScanOptions): Promise<ArchiveScan> {
  const info = await stat(file).catch(() => undefined)
  if (!info?.isFile()) throw new OcvmError('archive-not-found', `${file} is not a file`, {hint: 'Give the path of an archive made by `ocvm export` or `openclaw backup create`.'})
  const compression = detectCompression(await readHead(file))
  if (!compression) throw new OcvmError('archive-unknown-format', `${file} is not a tar archive (plain, gzip or zstd)`, {hint: 'Give an archive made by `ocvm export` or `openclaw backup create`.'})

  const validator = new EntryValidator({maxTotalBytes: options.maxTotalBytes ?? defaultUnpackBound(info.size)})
  const seen: Seen[] = []
  const byRel = new Map<string, Seen>()
  const texts = new Map<string, string>()
  let textBytes = 0
  let meta: Buffer | undefined
  let backupManifest: Buffer | undefined
  const reader = new TarReader({
    onEntry(entry) {
      const rel = validator.check(entry)
      const item: Seen = {rel, entry}
      seen.push(item)
      byRel.set(rel, item)
      const isMeta = rel === META_NAME || /^[^/]+\/manifest\.json$/.test(rel)
      const isText = options.keepTexts && entry.type === 'file' && entry.size <= KEEP_TEXT_MAX && /\.json5?$/.test(rel) && textBytes < KEEP_TEXTS_TOTAL
      return {keepData: isMeta || Boolean(isText)}
    },
    onEntryEnd(entry, result) {
      const item = seen.at(-1)
      if (!item) return
      item.sha256 = result.sha256
      if (!result.data) return
      if (item.rel === META_NAME) meta = result.data
      else if (/^[^/]+\/manifest\.json$/.test(item.rel)) backupManifest = result.data
      if (/\.json5?$/.test(item.rel) && entry.size <= KEEP_TEXT_MAX) {
        texts.set(item.rel, result.data.toString('utf8'))
        textBytes += result.data.length
      }
    },
  })

  const [sha256] = await Promise.all([hashFile(file, options.onProgress), readTar(file, compression, reader, options)]).catch((error: unknown) => {
    throw toScanError(error, file)
  })

  const scan: Omit<ArchiveScan, 'format' | 'source' | 'roots'> = {
    file, compression, sha256, archiveBytes: info.size, tarBytes: reader.bytesRead, declaredBytes: validator.totalBytes, entries: validator.entries, texts, warnings: [],
  }
  // Hard links unpack as regular files with their target's content.
  for (const item of seen) {
    if (item.entry.type !== 'hardlink') continue
    const target = byRel.get(safeRelative(item.entry.linkName))
    item.sha256 = target?.sha256
    item.entry = {...item.entry, type: 'file', size: target?.entry.size ?? 0}
  }
  if (meta) return fromOcvm(scan, meta, seen)
  if (backupManifest) return fromOpenclawBackup(scan, backupManifest, seen)
  throw new OcvmError('archive-unknown-format', `${file} holds neither ${META_NAME} (ocvm export) nor <dir>/manifest.json (openclaw backup create)`, {
    hint: 'Give an archive made by `ocvm export` or `openclaw backup create`.',
  })
}

function fromOcvm(scan: Omit<ArchiveScan, 'format' | 'source' | 'roots'>, metaBytes: Buffer, seen: Seen[]): ArchiveScan {
  const meta = parseJson(ocvmArchiveMeta, metaBytes, META_NAME, scan.file)
  if (meta.version > 1) throw new OcvmError('archive-too-new', `${scan.file} is format version ${meta.version}; this ocvm reads version 1`, {hint: 'Upgrade ocvm on this machine.'})
  const prefixes = meta.roots.map((r) => rootPrefix(r.index))
  const stray = seen.find((s) => s.rel !== META_NAME && s.rel !== 'roots' && !prefixes.some((p) => s.rel === p || s.rel.startsWith(`${p}/`)))
  if (stray) throw new OcvmError('archive-corrupt', `${scan.file}: unexpected member ${stray.entry.name} outside the roots listed in ${META_NAME}`, {hint: 'The archive was not written by ocvm export, or was altered. Nothing was changed.'})
  const roots: ScannedRoot[] = meta.roots.map((r) => ({index: r.index, kind: r.kind, label: r.label, source: r.source, archivePath: rootPrefix(r.index), manifest: manifestUnder(seen, rootPrefix(r.index))}))
  for (const root of roots) {
    const expected = manifestOf(meta.roots.find((r) => r.index === root.index)?.manifest ?? [])
    const diff = diffManifests(expected, root.manifest)
    if (!isClean(diff)) {
      const sample = [...diff.missing.map((e) => `missing ${e.path}`), ...diff.mismatched.map((m) => `differs ${m.expected.path}`), ...diff.extra.map((e) => `unexpected ${e.path}`)].slice(0, 3)
      throw new OcvmError('archive-corrupt', `${scan.file}: ${root.label} does not match the archive's manifest: ${diff.missing.length} missing, ${diff.mismatched.length} differing, ${diff.extra.length} unexpected (${sample.join('; ')})`, {
        hint: 'The archive is damaged or was altered after export. Nothing was changed; export it again from the source.',
      })
    }
  }
  const {host: _host, ...source} = meta.source
  return {...scan, format: 'ocvm', source, roots, quiesced: meta.quiesced}
}

function fromOpenclawBackup(scan: Omit<ArchiveScan, 'format' | 'source' | 'roots'>, bytes: Buffer, seen: Seen[]): ArchiveScan {
  const manifest = parseJson(openclawBackupManifest, bytes, '<dir>/manifest.json', scan.file)
  const stateDir = manifest.paths.stateDir
  // Assets nested in another asset arrive with it; the state dir is root 0.
  const assets = [...manifest.assets].sort((a, b) => (a.kind === 'state' ? -1 : b.kind === 'state' ? 1 : 0))
    .filter((a, i, all) => !all.some((o, j) => j < i && (a.sourcePath === o.sourcePath || a.sourcePath.startsWith(`${o.sourcePath}/`))))
  if (!assets.some((a) => a.kind === 'state')) throw new OcvmError('archive-unsupported', `${scan.file} has no state dir asset (made with --only-config?)`, {hint: 'Import a full `openclaw backup create` archive.'})
  const roots: ScannedRoot[] = assets.map((a, index) => {
    const archivePath = safeRelative(a.archivePath, 'asset path')
    if (!posix.isAbsolute(a.sourcePath)) throw new OcvmError('archive-corrupt', `${scan.file}: asset ${a.archivePath} has a relative source path`, {hint: 'The manifest is not one openclaw wrote.'})
    return {index, kind: a.kind === 'state' ? 'state' : 'workspace', label: a.kind === 'state' ? 'state dir' : `${a.kind} (${posix.basename(a.sourcePath)})`, source: a.sourcePath, archivePath, manifest: manifestUnder(seen, archivePath)}
  })
  const home = /\/\.openclaw[^/]*$/.test(stateDir) ? posix.dirname(stateDir) : posix.dirname(stateDir)
  const configPath = manifest.paths.configPath ?? posix.join(stateDir, 'openclaw.json')
  const warnings = ['openclaw backup archives carry no per-file checksums: ocvm checksummed the archive as it read it and verifies the unpacked files against that']
  return {
    ...scan, warnings,
    format: 'openclaw-backup',
    source: {user: posix.basename(home), home, stateDir, configPath, configFiles: [configPath], ...(manifest.runtimeVersion ? {version: manifest.runtimeVersion} : {}), layout: 'unknown'},
    roots,
  }
}

/** Entries under `prefix/`, relative to it, in the shape of the migrate pipeline's manifests. */
function manifestUnder(seen: readonly Seen[], prefix: string): Manifest {
  const entries: ManifestEntry[] = []
  for (const s of seen) {
    if (!s.rel.startsWith(`${prefix}/`)) continue
    const path = s.rel.slice(prefix.length + 1)
    const type = s.entry.type === 'file' || s.entry.type === 'dir' || s.entry.type === 'symlink' ? s.entry.type : 'other'
    entries.push({path, type, mode: s.entry.mode, size: type === 'file' ? s.entry.size : 0, ...(type === 'file' && s.sha256 ? {sha256: s.sha256} : {}), ...(type === 'symlink' ? {linkTarget: s.entry.linkName} : {})})
  }
  return manifestOf(entries)
}

function manifestOf(entries: readonly ManifestEntry[]): Manifest {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const files = sorted.filter((e) => e.type === 'file')
  return {entries: sorted, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0)}
}

function parseJson<T>(schema: {safeParse(v: unknown): {success: true; data: T} | {success: false; error: {issues: Array<{path: PropertyKey[]; message: string}>}}}, bytes: Buffer, name: string, file: string): T {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8'))
  } catch {
    throw new OcvmError('archive-corrupt', `${file}: ${name} is not valid JSON`, {hint: 'The archive is damaged. Nothing was changed.'})
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new OcvmError('archive-corrupt', `${file}: ${name} is not in the expected shape (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`, {hint: 'The archive is damaged or comes from an unknown tool. Nothing was changed.'})
  }
  return parsed.data
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r')
  try {
    const buffer = Buffer.alloc(512)
    const {bytesRead} = await handle.read(buffer, 0, 512, 0)
    return buffer.subarray(0, bytesRead)
  } finally {
    await handle.close()
  }
}

async function hashFile(file: string, onProgress?: (bytes: number) => void): Promise<string> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer)
    onProgress?.((bytes += (chunk as Buffer).length))
  }
  return hash.digest('hex')
}

/** Decompresses into the reader: gzip in process, zstd through the zstd CLI (the runner). */
async function readTar(file: string, compression: Compression, reader: TarReader, options: ScanOptions): Promise<void> {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      try {
        reader.push(chunk)
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
  })
  if (compression === 'zstd') {
    let failure: unknown
    sink.on('error', (error) => {
      failure = error
    })
    const result = await options.runner.run('zstd', ['-dcq', '--', file], {stdout: sink, allowFailure: true, signal: options.signal})
    if (failure) throw failure
    if (result.exitCode !== 0) throw new TarFormatError(`zstd could not decompress it: ${result.stderr.trim().split('\n').pop() ?? ''}`)
  } else if (compression === 'gzip') {
    await pipeline(createReadStream(file), createGunzip(), sink)
  } else {
    await pipeline(createReadStream(file), sink)
  }
  reader.end()
}

function toScanError(error: unknown, file: string): unknown {
  if (error instanceof ArchiveRefusal) {
    return new OcvmError('archive-refused', `refusing ${file}: member ${error.message}`, {
      hint: 'Nothing was extracted or changed. Only import archives you made yourself (ocvm export, openclaw backup create); if this one is yours, it was altered.',
      details: {entry: error.entry},
    })
  }
  if (error instanceof TarFormatError || (error as {code?: string}).code === 'Z_DATA_ERROR') {
    return new OcvmError('archive-corrupt', `${file} is damaged: ${(error as Error).message}`, {hint: 'Nothing was changed. Copy the archive again (compare its SHA-256 with the one export printed).'})
  }
  return error
}
