import path from 'node:path'

import {OcvmError, PermissionDeniedError} from '../errors.js'
import {scriptRecords} from './nul-records.js'
import type {Shell} from './shell.js'

// Read-only file access on a host through its Shell: the same code path for local and ssh hosts,
// needing only sh, cat, find and awk there (agentless).

// Exit 3: missing; 4: unreadable, or hidden behind a dir we may not search (then -e is false too).
const READ_SCRIPT = `if [ ! -e "$1" ] && [ ! -L "$1" ]; then d=$(dirname -- "$1"); if [ -d "$d" ] && [ ! -x "$d" ]; then exit 4; fi; exit 3; fi
[ -r "$1" ] || exit 4; [ -d "$1" ] && exit 5; cat -- "$1"`

/** Reads a text file; undefined when it does not exist. */
export async function readTextFile(shell: Shell, file: string): Promise<string | undefined> {
  const result = await shell.script(READ_SCRIPT, [file], {allowFailure: true, timeoutMs: 60_000})
  switch (result.exitCode) {
    case 0: return result.stdout
    case 3: return undefined
    case 4: throw new PermissionDeniedError(shell.label, file)
    case 5: throw new OcvmError('not-a-file', `${file} on ${shell.label} is a directory, not a file`, {hint: 'Point the option at the file itself.'})
    default: {
      if (/Permission denied/i.test(result.stderr)) throw new PermissionDeniedError(shell.label, file)
      throw new OcvmError('read-failed', `could not read ${file} on ${shell.label}: ${result.stderr.trim().split('\n').pop() ?? ''}`, {hint: 'Run again with --verbose to see the command.'})
    }
  }
}

/** Which of these paths exist (as anything, including dangling symlinks)? */
export async function existingPaths(shell: Shell, paths: readonly string[]): Promise<Set<string>> {
  return (await probePaths(shell, paths)).present
}

// For a path that does not test as existing, walk up to its nearest existing ancestor: if we may
// not search that one, the answer is "cannot tell", not "missing".
const PROBE_SCRIPT = `for p in "$@"; do
  if [ -e "$p" ] || [ -L "$p" ]; then printf 'e%s\\0' "$p"; continue; fi
  d=$(dirname -- "$p")
  while [ "$d" != / ] && [ ! -e "$d" ]; do d=$(dirname -- "$d"); done
  [ -x "$d" ] || printf 'h%s\\0' "$p"
done`

/**
 * Which paths exist, and which are hidden: behind a directory this login may not search,
 * so whether they exist cannot be known (a permission problem, not a missing deployment).
 */
export async function probePaths(shell: Shell, paths: readonly string[]): Promise<{present: Set<string>; hidden: Set<string>}> {
  const present = new Set<string>()
  const hidden = new Set<string>()
  if (paths.length === 0) return {present, hidden}
  const result = await shell.script(PROBE_SCRIPT, paths, {timeoutMs: 60_000})
  for (const record of result.stdout.split('\0')) {
    if (record.startsWith('e')) present.add(record.slice(1))
    else if (record.startsWith('h')) hidden.add(record.slice(1))
  }
  return {present, hidden}
}

export type EntryType = 'file' | 'dir' | 'symlink' | 'other'

export interface TreeEntry {
  type: EntryType
  /** Apparent size in bytes. */
  size: number
  /** Permission bits, e.g. 0o600. */
  mode: number
  owner: string
  /** Absolute path on the host. */
  path: string
  /** For symlinks: where they point (as stored). */
  linkTarget?: string
}

export interface TreeListing {
  entries: TreeEntry[]
  /** Roots that did not exist. */
  missing: string[]
  /** Paths find could not read. */
  denied: string[]
}

// GNU find prints one NUL-terminated record per entry. BSD/macOS find has no -printf, so there
// stat(1) -f prints the same fields (newline-terminated: names containing newlines are not supported there).
const LIST_SCRIPT = String.raw`
if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then gnu=1; else gnu=0; fi
for r in "$@"; do
  if [ ! -e "$r" ] && [ ! -L "$r" ]; then printf 'M\t%s\0' "$r"; continue; fi
  if [ "$gnu" = 1 ]; then
    find "$r" -printf 'E\t%y\t%s\t%m\t%u\t%p\t%l\0'
  else
    find "$r" -exec stat -f 'E%t%HT%t%z%t%Lp%t%Su%t%N%t%Y' {} + | tr '\n' '\0'
  fi
done
exit 0
`

export async function listTrees(shell: Shell, roots: readonly string[]): Promise<TreeListing> {
  if (roots.length === 0) return {entries: [], missing: [], denied: []}
  const parser = new TreeListingParser()
  const result = await scriptRecords(shell, LIST_SCRIPT, roots, (record) => parser.add(record), {timeoutMs: 10 * 60_000})
  return parser.finish(result.stderr)
}

const TYPE_CODES: Record<string, EntryType> = {
  f: 'file', d: 'dir', l: 'symlink',
  'Regular File': 'file', Directory: 'dir', 'Symbolic Link': 'symlink',
}

/** Pure: parses the listing script's output (GNU or BSD form). */
export function parseTreeListing(stdout: string, stderr = ''): TreeListing {
  const parser = new TreeListingParser()
  for (const record of stdout.split('\0')) parser.add(record)
  return parser.finish(stderr)
}

/** Builds a listing record by record (see scriptRecords). */
class TreeListingParser {
  private readonly listing: TreeListing = {entries: [], missing: [], denied: []}
  private readonly seen = new Set<string>()

  add(record: string): void {
    if (!record) return
    const fields = record.split('\t')
    if (fields[0] === 'M') {
      this.listing.missing.push(fields.slice(1).join('\t'))
      return
    }
    if (fields[0] !== 'E' || fields.length < 7) return
    const [, typeCode = '', size = '0', mode = '0', owner = '', ...rest] = fields
    // A path may itself contain tabs: the link target is the last field.
    const linkTarget = rest.pop() ?? ''
    const entryPath = rest.join('\t')
    if (this.seen.has(entryPath)) return
    this.seen.add(entryPath)
    const type = TYPE_CODES[typeCode] ?? 'other'
    this.listing.entries.push({
      type,
      size: Number(size) || 0,
      mode: Number.parseInt(mode, 8) & 0o7777,
      owner,
      path: entryPath,
      ...(type === 'symlink' ? {linkTarget} : {}),
    })
  }

  finish(stderr: string): TreeListing {
    for (const m of stderr.matchAll(/^find: [‘'`]?(.*?)[’'`]?: Permission denied$/gm)) if (m[1]) this.listing.denied.push(m[1])
    this.seen.clear()
    return this.listing
  }
}

export interface EnvKeys {
  file: string
  status: 'ok' | 'missing' | 'denied'
  keys: Array<{name: string; value: 'set' | 'empty' | 'placeholder'}>
}

// Extracts KEY names from dotenv-style files ON the host, so values never leave it. For each key
// we only learn whether its value is empty, the "not-configured" placeholder, or set.
const ENV_AWK = String.raw`
/^[[:space:]]*(export[[:space:]]+)?[A-Za-z_][A-Za-z0-9_]*[[:space:]]*=/ {
  line = $0
  sub(/^[[:space:]]*(export[[:space:]]+)?/, "", line)
  k = line; sub(/[[:space:]]*=.*/, "", k)
  v = line; sub(/^[^=]*=/, "", v); gsub(/^[[:space:]]+|[[:space:]]+$/, "", v)
  q = sprintf("%c", 39)
  if (v == "" || v == "\"\"" || v == q q) s = "empty"
  else if (v == "not-configured" || v == "\"not-configured\"" || v == q "not-configured" q) s = "placeholder"
  else s = "set"
  print "K " k " " s
}`
const ENV_SCRIPT = String.raw`
prog="$1"; shift
for f in "$@"; do
  if [ ! -e "$f" ]; then printf 'M %s\n' "$f"; continue; fi
  if [ ! -r "$f" ]; then printf 'D %s\n' "$f"; continue; fi
  printf 'F %s\n' "$f"
  awk "$prog" "$f"
done
`

export async function readEnvKeys(shell: Shell, files: readonly string[]): Promise<EnvKeys[]> {
  if (files.length === 0) return []
  const result = await shell.script(ENV_SCRIPT, [ENV_AWK, ...files], {timeoutMs: 60_000})
  return parseEnvKeys(result.stdout)
}

export function parseEnvKeys(stdout: string): EnvKeys[] {
  const out: EnvKeys[] = []
  for (const line of stdout.split('\n')) {
    const kind = line.slice(0, 1)
    const rest = line.slice(2)
    if (kind === 'M' || kind === 'D' || kind === 'F') {
      out.push({file: rest, status: kind === 'M' ? 'missing' : kind === 'D' ? 'denied' : 'ok', keys: []})
    } else if (kind === 'K') {
      const [name, value] = rest.split(' ')
      const current = out.at(-1)
      if (current && name && (value === 'set' || value === 'empty' || value === 'placeholder')) current.keys.push({name, value})
    }
  }
  return out
}

/** Posix path helpers (remote hosts are Linux or macOS whatever ocvm runs on). */
export const posix = path.posix

export function isInside(child: string, parent: string): boolean {
  const rel = posix.relative(parent, child)
  return rel === '' || (!rel.startsWith('..') && !posix.isAbsolute(rel))
}
