import {z} from 'zod'

import {OcvmError} from '../errors.js'
import {scriptRecords} from '../hosts/nul-records.js'
import type {Shell} from '../hosts/shell.js'

/** One entry of a tree, relative to its root. Files carry their SHA-256. */
export interface ManifestEntry {
  path: string
  type: 'file' | 'dir' | 'symlink' | 'other'
  mode: number
  size: number
  sha256?: string
  linkTarget?: string
}

export interface Manifest {
  entries: ManifestEntry[]
  /** Sum of file sizes. */
  bytes: number
  files: number
}

// Lists a tree and hashes every regular file, skipping `find -path` patterns given after the root.
// GNU find/sha256sum (-z keeps any file name intact). Exit 3: the root does not exist.
const MANIFEST_SCRIPT = String.raw`
live="$1"; root="$2"; shift 2
cd -- "$root" 2>/dev/null || exit 3
first=1
for p in "$@"; do
  if [ "$first" = 1 ]; then set -- \( -path "$p"; first=0; else set -- "$@" -o -path "$p"; fi
done
[ "$first" = 0 ] && set -- "$@" \) -prune -o
# A live tree (gateway running, --precopy) may lose files between the listing and the hashing: an
# entry without a hash is simply sent again by the final pass.
if [ "$live" = 1 ]; then
  find . "$@" -printf 'E\t%y\t%m\t%s\t%P\t%l\0' 2>/dev/null
  find . "$@" -type f -exec sha256sum -z -- {} + 2>/dev/null
  exit 0
fi
find . "$@" -printf 'E\t%y\t%m\t%s\t%P\t%l\0' || exit 4
find . "$@" -type f -exec sha256sum -z -- {} + || exit 4
`

/**
 * Lists and hashes a tree on a host. `exclude` are `find -path` patterns relative to the root
 * (`./memory`, `./extensions/* /node_modules`).
 */
export async function buildManifest(shell: Shell, root: string, exclude: readonly string[] = [], options: {live?: boolean} = {}): Promise<Manifest | undefined> {
  const list = async () => {
    const parser = new ManifestParser()
    const result = await scriptRecords(shell, MANIFEST_SCRIPT, [options.live ? '1' : '0', root, ...exclude], (record) => parser.add(record), {allowFailure: true, timeoutMs: 60 * 60_000})
    return {parser, result}
  }
  let {parser, result} = await list()
  // Read-only, so a silent failure (ssh's own exit 255 when a multiplexed session drops, nothing on
  // stderr) is worth one more try before the run stops.
  if (result.exitCode !== 0 && result.exitCode !== 3 && (result.exitCode === 255 || result.stderr.trim() === '')) ({parser, result} = await list())
  if (result.exitCode === 3) return undefined
  if (result.exitCode !== 0) {
    const why = result.stderr.trim().split('\n').pop() || `exit ${result.exitCode ?? 'signal'}, nothing on stderr`
    throw new OcvmError('manifest-failed', `could not list and checksum ${root} on ${shell.label}: ${why}`, {
      hint: 'Check that the files are readable by the user ocvm connects as (or connect as root).',
    })
  }
  return parser.finish()
}

const TYPES: Record<string, ManifestEntry['type']> = {f: 'file', d: 'dir', l: 'symlink'}

/** Pure: parses MANIFEST_SCRIPT output (E records from find, `hash  ./path` records from sha256sum -z). */
export function parseManifest(stdout: string): Manifest {
  const parser = new ManifestParser()
  for (const record of stdout.split('\0')) parser.add(record)
  return parser.finish()
}

/**
 * Builds a manifest record by record, so a tree of 50,000 files never exists as one big string
 * (with its split copy) in memory: peak memory stays flat whatever the deployment's size.
 */
export class ManifestParser {
  private readonly entries = new Map<string, ManifestEntry>()
  private readonly hashes = new Map<string, string>()

  add(record: string): void {
    if (record.startsWith('E\t')) {
      const [, type = '', mode = '0', size = '0', ...rest] = record.split('\t')
      const linkTarget = rest.pop() ?? ''
      const rel = rest.join('\t')
      if (rel === '') return
      const kind = TYPES[type] ?? 'other'
      this.entries.set(rel, {path: rel, type: kind, mode: Number.parseInt(mode, 8), size: kind === 'file' ? Number(size) : 0, ...(kind === 'symlink' ? {linkTarget} : {})})
    } else {
      const m = /^([0-9a-f]{64}) {2}\.\/(.*)$/s.exec(record)
      if (m?.[1] && m[2] !== undefined) this.hashes.set(m[2], m[1])
    }
  }

  finish(): Manifest {
    let bytes = 0
    let files = 0
    for (const [rel, entry] of this.entries) {
      if (entry.type !== 'file') continue
      entry.sha256 = this.hashes.get(rel)
      bytes += entry.size
      files++
    }
    this.hashes.clear()
    return {entries: [...this.entries.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)), bytes, files}
  }
}

export interface ManifestDiff {
  /** In the expected manifest but absent, or different, in the actual one. */
  missing: ManifestEntry[]
  mismatched: Array<{expected: ManifestEntry; actual: ManifestEntry}>
  /** Present in the actual tree but not expected (never activated). */
  extra: ManifestEntry[]
}

/** Pure: what differs between what was sent and what arrived. Modes are compared for files and dirs. */
export function diffManifests(expected: Manifest, actual: Manifest): ManifestDiff {
  const have = new Map(actual.entries.map((e) => [e.path, e]))
  const want = new Set(expected.entries.map((e) => e.path))
  const diff: ManifestDiff = {missing: [], mismatched: [], extra: []}
  for (const e of expected.entries) {
    const a = have.get(e.path)
    if (!a) diff.missing.push(e)
    else if (a.type !== e.type || a.size !== e.size || a.sha256 !== e.sha256 || a.linkTarget !== e.linkTarget || (e.type !== 'symlink' && a.mode !== e.mode)) {
      diff.mismatched.push({expected: e, actual: a})
    }
  }
  for (const a of actual.entries) if (!want.has(a.path)) diff.extra.push(a)
  return diff
}

export function isClean(diff: ManifestDiff): boolean {
  return diff.missing.length === 0 && diff.mismatched.length === 0 && diff.extra.length === 0
}

const StoredManifestSchema = z.object({
  entries: z.array(z.object({
    path: z.string(),
    type: z.enum(['file', 'dir', 'symlink', 'other']),
    mode: z.number().int(),
    size: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
    linkTarget: z.string().optional(),
  })),
  bytes: z.number().nonnegative(),
  files: z.number().int().nonnegative(),
})

/** A manifest read back from a journal: checked, so a damaged one is a clear error, not a crash in verify. */
export function parseStoredManifest(value: unknown, where: string): Manifest {
  const parsed = StoredManifestSchema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new OcvmError('journal-corrupt', `${where} is not a valid manifest (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`, {hint: 'Do not edit journal files. Roll the run back (--rollback) and start a new migration.'})
  }
  return parsed.data as Manifest
}
