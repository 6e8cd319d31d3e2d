import {posix} from 'node:path'

import {BugError, OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import type {Reporter} from '../output/reporter.js'
import {CANONICAL_TAR_PY} from './canonical-tar.js'
import {FIND_PYTHON} from './python.js'
import {CANONICAL_TAR, HASH_FN, streamTree} from './stream.js'

/** A file to move: an absolute path on the source, and where it lands relative to the staging dir. */
export interface FileToSend {
  source: string
  /** Relative to the staging dir; its last component is the source file's name. */
  relPath: string
  /** A disk image: holes are neither read nor sent nor written, nor hashed (`tar-sparse`). */
  sparse: boolean
}

/**
 * How a file's checksum is taken. `sha256`: of its bytes. `tar-sparse`: of its canonical GNU tar
 * archive with `--sparse` (CANONICAL_TAR): the data and the map of its holes, so a 40 GiB disk with
 * 2 GiB of data hashes 2 GiB, not 40; equal digests mean equal contents, but two copies of one file
 * can differ in where the filesystem keeps holes, so a mismatch is settled with `sha256`.
 */
export type DigestKind = 'sha256' | 'tar-sparse'

/** What the source holds, measured with the workload stopped. */
export interface FileFacts {
  relPath: string
  /** Apparent size. */
  bytes: number
  /** Bytes allocated on disk (what a sparse-aware copy reads). */
  allocated: number
  /** Modification time on the source (s): a file that changed since it was sent is sent again. */
  mtime?: number
  /** Hex SHA-256, taken as `digest` says. */
  sha256: string
  /** Absent in journals written before digests had kinds: `sha256`. */
  digest?: DigestKind
}

export interface SendFilesOptions {
  source: Shell
  target: Shell
  files: readonly FileToSend[]
  stagingDir: string
  compress: boolean
  /** From earlier attempts of the same run: files sent completely, not sent again if still intact. */
  facts?: readonly FileFacts[]
  /** Called as soon as a file has arrived, so a journal can record it before the next one starts. */
  onSent?: (fact: FileFacts) => void
  reporter: Reporter
  signal?: AbortSignal
  /** The hint when the target fills up (see StreamTreeOptions). */
  diskFullHint?: string
}

export interface SendFilesResult {
  facts: FileFacts[]
  bytes: number
  allocated: number
  wireBytes: number
  resumedFiles: number
}

type Measure = 'stat' | DigestKind

interface Measured {
  bytes: number
  allocated: number
  mtime?: number
  /** Absent when only `stat` was asked for. */
  sha256?: string
}

// Size, allocated bytes, mtime and (unless $1 is `stat`) the digest $1 names of each file given as
// a dir/name pair, as `F<TAB>size blocks mtime<TAB>hash<TAB>dir/name\0` (`S` records have no hash,
// `M` says missing). GNU stat/tar; BSD stat and `shasum -a 256` on macOS hosts.
// tar-sparse: the canonical archive's digest from Python where the host has it ($2 is its program,
// CANONICAL_TAR_PY: one 1 MiB-read pass, no pipe), else (or when it declines a file) from GNU tar.
const FACTS_SCRIPT = String.raw`
mode="$1"; canon="$2"; shift 2
${HASH_FN}
${FIND_PYTHON}
py=''
[ "$mode" = tar-sparse ] && [ -n "$canon" ] && py=$(find_python)
while [ $# -ge 2 ]; do
  d="$1"; n="$2"; shift 2; f="$d/$n"
  if [ ! -f "$f" ]; then printf 'M\t%s\0' "$f"; continue; fi
  if stat -c %s / >/dev/null 2>&1; then sz=$(stat -c '%s %b %Y' -- "$f"); else sz=$(stat -f '%z %b %m' -- "$f"); fi
  case "$mode" in
    stat) printf 'S\t%s\t%s\0' "$sz" "$f"; continue ;;
    tar-sparse)
      if [ -z "$py" ] || ! hs=$("$py" -c "$canon" sum "$d" "$n" </dev/null); then
        hs=$(cd -- "$d" && printf '%s\0' "$n" | tar --null --no-recursion -T - ${CANONICAL_TAR} --sparse -cf - | h)
      fi ;;
    *) hs=$(h <"$f") ;;
  esac
  printf 'F\t%s\t%s\t%s\0' "$sz" "$hs" "$f"
done
`

/** Pure: parses FACTS_SCRIPT output into facts keyed by the path given. */
export function parseFileFacts(stdout: string): Map<string, Measured | undefined> {
  const out = new Map<string, Measured | undefined>()
  const bad = (record: string) => new OcvmError('unexpected-output', `unexpected output while checksumming files: ${JSON.stringify(record.slice(0, 120))}`, {hint: 'The host needs stat, tar and sha256sum (or shasum or openssl).'})
  for (const record of stdout.split('\0')) {
    if (record === '') continue
    const [kind, ...rest] = record.split('\t')
    if (kind === 'M') {
      out.set(rest.join('\t'), undefined)
      continue
    }
    if (kind !== 'F' && kind !== 'S') throw bad(record)
    const [sizes = '', ...tail] = rest
    const [bytes, blocks, mtime] = sizes.trim().split(/\s+/).map(Number)
    if (bytes === undefined || blocks === undefined || !Number.isFinite(bytes) || !Number.isFinite(blocks) || (mtime !== undefined && !Number.isFinite(mtime))) throw bad(record)
    const measured: Measured = {bytes, allocated: blocks * 512, ...(mtime === undefined ? {} : {mtime})}
    if (kind === 'S') {
      out.set(tail.join('\t'), measured)
      continue
    }
    const [hash = '', ...name] = tail
    const sha256 = /^[0-9a-f]{64}/.exec(hash.trim())?.[0]
    if (!sha256) throw bad(record)
    out.set(name.join('\t'), {...measured, sha256})
  }
  return out
}

/** Size, allocation, mtime and (unless `stat`) digest of files on a host; undefined for a file that is not there. */
export async function fileFacts(shell: Shell, paths: readonly string[], measure: Measure = 'sha256', signal?: AbortSignal): Promise<Map<string, Measured | undefined>> {
  if (paths.length === 0) return new Map()
  const pairs = paths.flatMap((p) => [posix.dirname(p), posix.basename(p)])
  const result = await shell.script(FACTS_SCRIPT, [measure, measure === 'tar-sparse' ? CANONICAL_TAR_PY : '', ...pairs], {timeoutMs: 6 * 60 * 60_000, ...(signal ? {signal} : {})})
  const byKey = parseFileFacts(result.stdout)
  // The script names each file dir + '/' + name; give the answers back under the paths asked for.
  return new Map(paths.map((p) => [p, byKey.get(`${posix.dirname(p)}/${posix.basename(p)}`)]))
}

const kindOf = (fact: FileFacts): DigestKind => fact.digest ?? 'sha256'

/**
 * Moves a set of files (VM disks, definitions, NVRAM) into a staging dir on the target, sparse-aware
 * (holes are neither read as data nor written), compressed on the wire, checksummed on both ends.
 * A disk is hashed on the source while it is sent (one read, not two), each in a stream of its own so
 * its checksum is recorded (`onSent`) as soon as it has arrived; other files are hashed first and sent
 * together. A file that an earlier attempt of the same run sent completely is not sent again if the
 * source is unchanged and the staged copy still hashes the same.
 */
export async function sendFiles(options: SendFilesOptions): Promise<SendFilesResult> {
  const {source, target, files, stagingDir, reporter} = options
  checkLayout(files)
  const now = await sourceStats(source, files, options.signal)
  const dense = files.filter((f) => !f.sparse)
  const denseFacts = await sourceFacts(source, dense, options.signal)
  const facts = new Map<string, FileFacts>(denseFacts.map((f) => [f.relPath, f]))
  for (const old of options.facts ?? []) {
    const file = files.find((f) => f.relPath === old.relPath)
    const stat = file && now.get(file.relPath)
    // A disk whose source changed since it was sent is sent again.
    if (file?.sparse && stat && stat.bytes === old.bytes && (old.mtime === undefined || old.mtime === stat.mtime)) facts.set(old.relPath, old)
  }
  const kept = [...facts.values()]
  const damaged = new Set(await damagedFiles(target, stagingDir, kept, options.signal))
  const intact = new Set(kept.filter((f) => !damaged.has(f)).map((f) => f.relPath))
  for (const f of files) if (f.sparse && !intact.has(f.relPath)) facts.delete(f.relPath)
  const todo = files.filter((f) => !intact.has(f.relPath))
  const sizeOf = (f: FileToSend) => Math.min(now.get(f.relPath)?.allocated ?? 0, now.get(f.relPath)?.bytes ?? 0)
  const todoBytes = todo.reduce((n, f) => n + sizeOf(f), 0)
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
        compress: options.compress, adaptive: group.sparse, sparse: group.sparse, digest: group.sparse, totalBytes: todoBytes, ...(options.signal ? {signal: options.signal} : {}), ...(options.diskFullHint ? {diskFullHint: options.diskFullHint} : {}),
        onProgress: (bytes) => progress.update(Math.min(before + bytes, todoBytes)),
      })
      doneBytes += group.files.reduce((n, f) => n + sizeOf(f), 0)
      wireBytes += result.wireBytes
      const [disk] = group.files
      if (group.sparse && disk && result.digest) {
        const stat = now.get(disk.relPath)
        if (!stat) throw new BugError(`no stat of ${disk.source}`)
        const fact: FileFacts = {relPath: disk.relPath, bytes: stat.bytes, allocated: stat.allocated, ...(stat.mtime === undefined ? {} : {mtime: stat.mtime}), sha256: result.digest, digest: 'tar-sparse'}
        facts.set(fact.relPath, fact)
        options.onSent?.(fact)
      }
    }
    progress.done()
  }
  const all = files.map((f) => facts.get(f.relPath) ?? missingFact(f))
  return {facts: all, bytes: all.reduce((n, f) => n + f.bytes, 0), allocated: all.reduce((n, f) => n + f.allocated, 0), wireBytes, resumedFiles: intact.size}
}

export interface VerifyFilesOptions {
  target: Shell
  stagingDir: string
  facts: readonly FileFacts[]
  /**
   * Where the files came from, when it is still there: a disk whose archive digest differs is then
   * compared byte for byte (`sha256` on both ends) before it counts as damaged, since the target's
   * filesystem may keep holes where the source's kept zeros. Without it a difference is final.
   */
  origin?: {shell: Shell; files: readonly FileToSend[]}
  signal?: AbortSignal
}

/**
 * Re-checksums every staged file against the source's facts; throws naming each file that differs.
 * Returns the facts that hold for the staged copies: a disk that matched only byte for byte gets its
 * `sha256` fact (an export's manifest must describe the copy it holds).
 */
export async function verifyFiles(options: VerifyFilesOptions): Promise<FileFacts[]> {
  const {target, stagingDir, facts, origin, signal} = options
  let bad = await damagedFiles(target, stagingDir, facts, signal)
  const rebased = new Map<FileFacts, FileFacts>()
  const recheck = origin ? bad.filter((f) => kindOf(f) !== 'sha256') : []
  if (origin && recheck.length > 0) {
    const staged = (f: FileFacts) => posix.join(stagingDir, f.relPath)
    const sourcePath = (f: FileFacts) => origin.files.find((x) => x.relPath === f.relPath)?.source ?? ''
    const [there, here] = await Promise.all([
      fileFacts(origin.shell, recheck.map(sourcePath), 'sha256', signal),
      fileFacts(target, recheck.map(staged), 'sha256', signal),
    ])
    for (const f of recheck) {
      const a = there.get(sourcePath(f))
      const b = here.get(staged(f))
      if (a?.sha256 !== undefined && a.sha256 === b?.sha256 && a.bytes === b.bytes) rebased.set(f, {...f, sha256: a.sha256, digest: 'sha256'})
    }
    bad = bad.filter((f) => !rebased.has(f))
  }
  if (bad.length > 0) {
    throw new OcvmError('verify-failed', `${bad.length} of ${facts.length} file(s) differ from the source in staging on ${target.label}: ${bad.map((f) => f.relPath).slice(0, 3).join(', ')}`, {
      hint: 'Nothing was activated. Run again with --resume: damaged files are sent again.',
    })
  }
  return facts.map((f) => rebased.get(f) ?? f)
}

/**
 * The files under `dir` on that host that are missing or differ from their facts (size, or the
 * digest of the fact's kind).
 */
export async function damagedFiles(shell: Shell, dir: string, facts: readonly FileFacts[], signal?: AbortSignal): Promise<FileFacts[]> {
  const intact = new Set<FileFacts>()
  for (const kind of ['sha256', 'tar-sparse'] as const) {
    const of = facts.filter((f) => kindOf(f) === kind)
    const got = await fileFacts(shell, of.map((f) => posix.join(dir, f.relPath)), kind, signal)
    for (const f of of) {
      const m = got.get(posix.join(dir, f.relPath))
      if (m?.sha256 === f.sha256 && m.bytes === f.bytes) intact.add(f)
    }
  }
  return facts.filter((f) => !intact.has(f))
}

async function sourceStats(source: Shell, files: readonly FileToSend[], signal?: AbortSignal): Promise<Map<string, Measured>> {
  const found = await fileFacts(source, files.map((f) => f.source), 'stat', signal)
  return new Map(files.map((f) => [f.relPath, found.get(f.source) ?? throwMissing(f, source)]))
}

function throwMissing(f: FileToSend, source: Shell): never {
  throw new OcvmError('source-missing', `${f.source} is missing on ${source.label}`, {hint: 'The VM changed since it was inspected: run the migration again.'})
}

function missingFact(f: FileToSend): never {
  throw new BugError(`no checksum recorded for ${f.relPath}`)
}

async function sourceFacts(source: Shell, files: readonly FileToSend[], signal?: AbortSignal): Promise<FileFacts[]> {
  const found = await fileFacts(source, files.map((f) => f.source), 'sha256', signal)
  return files.map((f) => {
    const fact = found.get(f.source)
    if (!fact?.sha256) throwMissing(f, source)
    return {relPath: f.relPath, bytes: fact.bytes, allocated: fact.allocated, ...(fact.mtime === undefined ? {} : {mtime: fact.mtime}), sha256: fact.sha256, digest: 'sha256'}
  })
}

interface Group {
  sourceDir: string
  relDir: string
  sparse: boolean
  names: string[]
  files: FileToSend[]
}

/** A disk goes alone (its stream's digest is its checksum); other files that share a source dir and a staging dir go together. */
function groupByDirs(files: readonly FileToSend[]): Group[] {
  const groups = new Map<string, Group>()
  for (const file of files) {
    const sourceDir = posix.dirname(file.source)
    const relDir = posix.dirname(file.relPath)
    const key = JSON.stringify(file.sparse ? [file.relPath] : [sourceDir, relDir])
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
