import {posix} from 'node:path'

import {BugError, OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import type {Reporter} from '../output/reporter.js'
import {streamTree} from './stream.js'

/** A file to move: an absolute path on the source, and where it lands relative to the staging dir. */
export interface FileToSend {
  source: string
  /** Relative to the staging dir; its last component is the source file's name. */
  relPath: string
  sparse: boolean
}

/** What the source holds, measured with the workload stopped. */
export interface FileFacts {
  relPath: string
  /** Apparent size. */
  bytes: number
  /** Bytes allocated on disk (what a sparse-aware copy reads). */
  allocated: number
  sha256: string
}

export interface SendFilesOptions {
  source: Shell
  target: Shell
  files: readonly FileToSend[]
  stagingDir: string
  compress: boolean
  /** From an earlier attempt of the same run: files already staged with this checksum are not sent again. */
  facts?: readonly FileFacts[]
  reporter: Reporter
  signal?: AbortSignal
}

export interface SendFilesResult {
  facts: FileFacts[]
  bytes: number
  allocated: number
  wireBytes: number
  resumedFiles: number
}

// Size, allocated bytes and SHA-256 of each file (args), as `size<TAB>blocks*512<TAB>hash\0`.
// GNU stat and sha256sum; `shasum -a 256` and BSD stat on macOS hosts.
const FACTS_SCRIPT = String.raw`
for f in "$@"; do
  if [ ! -f "$f" ]; then printf 'M\t%s\0' "$f"; continue; fi
  if stat -c %s / >/dev/null 2>&1; then sz=$(stat -c '%s %b' -- "$f"); else sz=$(stat -f '%z %b' -- "$f"); fi
  if command -v sha256sum >/dev/null 2>&1; then h=$(sha256sum < "$f"); else h=$(shasum -a 256 < "$f"); fi
  printf 'F\t%s\t%s\t%s\0' "$sz" "$h" "$f"
done
`

/** Pure: parses FACTS_SCRIPT output into facts keyed by the path given. */
export function parseFileFacts(stdout: string): Map<string, {bytes: number; allocated: number; sha256: string} | undefined> {
  const out = new Map<string, {bytes: number; allocated: number; sha256: string} | undefined>()
  for (const record of stdout.split('\0')) {
    if (record === '') continue
    const [kind, ...rest] = record.split('\t')
    if (kind === 'M') {
      out.set(rest.join('\t'), undefined)
      continue
    }
    const [sizes = '', hash = '', ...name] = rest
    const [bytes, blocks] = sizes.trim().split(/\s+/).map(Number)
    const sha256 = /^[0-9a-f]{64}/.exec(hash.trim())?.[0]
    if (kind !== 'F' || bytes === undefined || blocks === undefined || !Number.isFinite(bytes) || !Number.isFinite(blocks) || !sha256) {
      throw new OcvmError('unexpected-output', `unexpected output while checksumming files: ${JSON.stringify(record.slice(0, 120))}`, {hint: 'The host needs stat and sha256sum (or shasum).'})
    }
    out.set(name.join('\t'), {bytes, allocated: blocks * 512, sha256})
  }
  return out
}

/** Size, allocation and SHA-256 of files on a host (undefined for a file that is not there). */
export async function fileFacts(shell: Shell, paths: readonly string[], signal?: AbortSignal): Promise<Map<string, {bytes: number; allocated: number; sha256: string} | undefined>> {
  if (paths.length === 0) return new Map()
  const result = await shell.script(FACTS_SCRIPT, paths, {timeoutMs: 6 * 60 * 60_000, ...(signal ? {signal} : {})})
  return parseFileFacts(result.stdout)
}

/**
 * Moves a set of files (VM disks, definitions, NVRAM) into a staging dir on the target, sparse-aware
 * (holes are neither read as data nor written), compressed on the wire, checksummed on both ends.
 * A file already staged intact by an earlier attempt of the same run is not sent again.
 */
export async function sendFiles(options: SendFilesOptions): Promise<SendFilesResult> {
  const {source, target, files, stagingDir, reporter} = options
  checkLayout(files)
  const facts = options.facts ? [...options.facts] : await sourceFacts(source, files, options.signal)
  const staged = await fileFacts(target, files.map((f) => posix.join(stagingDir, f.relPath)), options.signal)
  const intact = (f: FileToSend) => staged.get(posix.join(stagingDir, f.relPath))?.sha256 === factOf(facts, f).sha256
  const todo = files.filter((f) => !intact(f))
  const allocated = facts.reduce((n, f) => n + f.allocated, 0)
  const todoBytes = todo.reduce((n, f) => n + Math.min(factOf(facts, f).allocated, factOf(facts, f).bytes), 0)
  let wireBytes = 0

  if (todo.length === 0) {
    reporter.step(`all ${files.length} file(s) already staged on ${target.label}, nothing to send`)
  } else {
    reporter.step(`sending ${todo.length} file(s) to ${target.label} (${todoBytes} bytes of data)`)
    const progress = reporter.progress('image', todoBytes)
    let doneBytes = 0
    for (const group of groupByDirs(todo)) {
      const before = doneBytes
      const result = await streamTree({
        source, target, sourceRoot: group.sourceDir, paths: group.names, targetDir: posix.join(stagingDir, group.relDir),
        compress: options.compress, sparse: group.sparse, ...(options.signal ? {signal: options.signal} : {}),
        onProgress: (p) => progress.update(Math.min(before + p.bytes, todoBytes)),
      })
      doneBytes += group.files.reduce((n, f) => n + Math.min(factOf(facts, f).allocated, factOf(facts, f).bytes), 0)
      wireBytes += result.wireBytes
    }
    progress.done()
  }
  return {facts, bytes: facts.reduce((n, f) => n + f.bytes, 0), allocated, wireBytes, resumedFiles: files.length - todo.length}
}

/** Re-checksums every staged file against the source's facts; throws naming each file that differs. */
export async function verifyFiles(target: Shell, stagingDir: string, facts: readonly FileFacts[], signal?: AbortSignal): Promise<void> {
  const bad = await damagedFiles(target, stagingDir, facts, signal)
  if (bad.length > 0) {
    throw new OcvmError('verify-failed', `${bad.length} of ${facts.length} file(s) differ from the source in staging on ${target.label}: ${bad.map((f) => f.relPath).slice(0, 3).join(', ')}`, {
      hint: 'Nothing was activated. Run again with --resume: damaged files are sent again.',
    })
  }
}

/** The files under `dir` on that host that are missing or differ (size or SHA-256) from their facts. */
export async function damagedFiles(shell: Shell, dir: string, facts: readonly FileFacts[], signal?: AbortSignal): Promise<FileFacts[]> {
  const found = await fileFacts(shell, facts.map((f) => posix.join(dir, f.relPath)), signal)
  return facts.filter((f) => {
    const got = found.get(posix.join(dir, f.relPath))
    return !got || got.sha256 !== f.sha256 || got.bytes !== f.bytes
  })
}

async function sourceFacts(source: Shell, files: readonly FileToSend[], signal?: AbortSignal): Promise<FileFacts[]> {
  const found = await fileFacts(source, files.map((f) => f.source), signal)
  return files.map((f) => {
    const fact = found.get(f.source)
    if (!fact) throw new OcvmError('source-missing', `${f.source} is missing on ${source.label}`, {hint: 'The VM changed since it was inspected: run the migration again.'})
    return {relPath: f.relPath, ...fact}
  })
}

function factOf(facts: readonly FileFacts[], file: FileToSend): FileFacts {
  const fact = facts.find((f) => f.relPath === file.relPath)
  if (!fact) throw new BugError(`no checksum recorded for ${file.relPath}`)
  return fact
}

interface Group {
  sourceDir: string
  relDir: string
  sparse: boolean
  names: string[]
  files: FileToSend[]
}

/** Files that share a source dir, a staging dir and sparseness go in one stream. */
function groupByDirs(files: readonly FileToSend[]): Group[] {
  const groups = new Map<string, Group>()
  for (const file of files) {
    const sourceDir = posix.dirname(file.source)
    const relDir = posix.dirname(file.relPath)
    const key = JSON.stringify([sourceDir, relDir, file.sparse])
    const group = groups.get(key) ?? {sourceDir, relDir, sparse: file.sparse, names: [], files: []}
    group.names.push(posix.basename(file.source))
    group.files.push(file)
    groups.set(key, group)
  }
  return [...groups.values()]
}

/** A driver bug, not a user error: relative, no `..`, unique, named like the source file. */
function checkLayout(files: readonly FileToSend[]): void {
  const seen = new Set<string>()
  for (const f of files) {
    const rel = posix.normalize(f.relPath)
    if (!posix.isAbsolute(f.source) || posix.isAbsolute(rel) || rel.split('/').includes('..') || rel !== f.relPath || posix.basename(rel) !== posix.basename(f.source) || seen.has(rel)) {
      throw new BugError(`bad export layout: ${JSON.stringify(f)}`)
    }
    seen.add(rel)
  }
}
