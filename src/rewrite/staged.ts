import {isInside, posix, readTextFile} from '../hosts/remote-fs.js'
import {maskConfigSecrets} from '../deployment/secret-names.js'
import {scriptRecords} from '../hosts/nul-records.js'
import type {Shell} from '../hosts/shell.js'
import {configPathRewriter} from './config-paths.js'
import {formatChangesAsDiff} from './diff.js'
import {rewriteJson5Strings, type StringChange} from './json5-rewrite.js'
import {PathMap} from './path-map.js'
import {rewriteSessionsIndex} from './sessions-index.js'
import type {PathMapping} from './path-map.js'

export interface PathChange {
  file: string
  key: string
  from: string
  to: string
}

/**
 * What a rewrite needs to know of a move: the trees (where they are read and where they end up),
 * the path mappings and the config files. A run's journal satisfies it.
 */
export interface RewriteScope {
  roots: ReadonlyArray<{source: string; target: string; staging: string}>
  mappings: readonly PathMapping[]
  source: {configFiles: readonly string[]}
  target: {stateDir: string}
}

export interface RewriteFile {
  /** Where to read (and write) it: the source for a dry run, the staging dir for a real one. */
  readPath: string
  /** Where it lives once the migration is done (for messages and diffs). */
  finalPath: string
  kind: 'config' | 'sessions-index' | 'state-json'
}

export interface RewriteOutcome {
  changes: PathChange[]
  diffs: Array<{file: string; diff: string}>
  /** Files that mention an old path but could not be rewritten (not JSON5, or a dotenv with secrets). */
  skipped: Array<{file: string; reason: string}>
  /** The text each file read now has (rewritten or not), by read path: later steps need not read it again. */
  texts?: Map<string, string>
}

// Which files under the given roots mention any of the old dirs (NUL-separated names on stdout).
// grep runs on the host, so file contents (secrets included) never travel for this.
const GREP_MENTIONS = String.raw`
n="$1"; shift
i=0; pats=""
while [ $i -lt "$n" ]; do pats="$pats$1
"; shift; i=$((i+1)); done
t=$(mktemp) || exit 1
trap 'rm -f "$t"' EXIT
printf '%s' "$pats" > "$t"
mentions() {
  for r in "$@"; do
    [ -d "$r" ] || continue
    grep -rlFZ -f "$t" --include='*.json' --include='*.json5' --include='.env' -- "$r" 2>/dev/null
  done
}
`

const FIND_MENTIONS = `${GREP_MENTIONS}
mentions "$@"
exit 0
`

export async function findFilesMentioning(shell: Shell, roots: readonly string[], needles: readonly string[]): Promise<string[]> {
  const result = await shell.script(FIND_MENTIONS, [String(needles.length), ...needles, ...roots], {timeoutMs: 10 * 60_000})
  return [...new Set(result.stdout.split('\0').filter(Boolean))].sort()
}

// The same search, printing each file found as `PATH\0` then `C` + its text + `\0`, so finding
// and reading are one round trip. A .env is never read (`S`: it holds secrets); a file we may not
// read or with a NUL byte in it (`B`: it cannot be framed so) is read on its own afterwards.
const READ_MENTIONS = `${GREP_MENTIONS}
mentions "$@" | xargs -0 -r sh -c 'for f; do
  printf "%s\\0" "$f"
  case "$f" in */.env) printf "S\\0"; continue;; esac
  if [ -r "$f" ] && tr -d "\\000" < "$f" | cmp -s - "$f"; then printf C; cat -- "$f"; printf "\\0"; else printf "B\\0"; fi
done' sh
exit 0
`

/** Files under the roots that mention a needle, sorted, with their texts (a .env: empty, never read). */
export async function readFilesMentioning(shell: Shell, roots: readonly string[], needles: readonly string[]): Promise<Map<string, string | undefined>> {
  const found = new Map<string, string | undefined>()
  let current: string | undefined
  await scriptRecords(shell, READ_MENTIONS, [String(needles.length), ...needles, ...roots], (record) => {
    if (current === undefined) {
      current = record
      return
    }
    const kind = record.slice(0, 1)
    found.set(current, kind === 'C' ? record.slice(1) : kind === 'S' ? '' : undefined)
    current = undefined
  }, {timeoutMs: 10 * 60_000})
  // Files that could not come along: read one by one.
  await Promise.all([...found].filter(([, text]) => text === undefined).map(async ([file]) => found.set(file, await readTextFile(shell, file))))
  return new Map([...found].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

export function classifyRewriteFile(finalPath: string, stateDir: string, configFiles: ReadonlySet<string>): RewriteFile['kind'] {
  if (configFiles.has(finalPath)) return 'config'
  if (isInside(finalPath, stateDir) && /^agents\/[^/]+\/sessions\/sessions\.json$/.test(posix.relative(stateDir, finalPath))) return 'sessions-index'
  return 'state-json'
}

function rewriterFor(kind: RewriteFile['kind'], map: PathMap): (text: string) => {text: string; changes: StringChange[]} {
  if (kind === 'config') return (text) => rewriteJson5Strings(text, configPathRewriter(map))
  if (kind === 'sessions-index') return (text) => rewriteSessionsIndex(text, map)
  // Other state JSON (cron jobs, plugin installs, approvals): whole-path values and paths inside commands.
  return (text) => rewriteJson5Strings(text, (value) => {
    if (value.startsWith('/')) return map.mapPath(value) ?? changedOrUndefined(value, map.mapEmbedded(value))
    return changedOrUndefined(value, map.mapEmbedded(value))
  })
}

// GNU stat -c, else BSD stat -f (macOS): the sed -i / sed -i '' class of difference, kept here.
const WRITE_BACK = `m=$(stat -c %a -- "$1" 2>/dev/null || stat -f %Lp -- "$1") && cat > "$1.ocvm-new" && chmod "$m" "$1.ocvm-new" && mv -f -- "$1.ocvm-new" "$1"`

/** Replaces a file's content on a host, keeping its mode (write to a sibling, then rename). */
export async function writeBack(shell: Shell, file: string, text: string): Promise<void> {
  await shell.script(WRITE_BACK, [file], {input: text, timeoutMs: 60_000})
}

/**
 * Rewrites old paths in the given files, keeping comments and formatting. With `write` false it
 * only computes the changes and diffs (--dry-run, reading the source).
 */
export async function rewriteFiles(shell: Shell, files: readonly RewriteFile[], map: PathMap, write: boolean, known?: ReadonlyMap<string, string | undefined>): Promise<RewriteOutcome> {
  const outcome: RewriteOutcome = {changes: [], diffs: [], skipped: []}
  // Texts not known yet: one round trip per file, all at the same time; planned in the given order
  // so the report is stable.
  const texts = await Promise.all(files.map((file) => (posix.basename(file.finalPath) === '.env' ? '' : known?.has(file.readPath) ? known.get(file.readPath) : readTextFile(shell, file.readPath))))
  const writes: Array<Promise<void>> = []
  const now = new Map<string, string>()
  files.forEach((file, i) => {
    const text = texts[i]
    if (text === undefined) return
    const planned = planFileRewrite(file, text, map, outcome)
    if (planned !== undefined && write) writes.push(writeBack(shell, file.readPath, planned))
    if (posix.basename(file.finalPath) !== '.env') now.set(file.readPath, planned !== undefined && write ? planned : text)
  })
  await Promise.all(writes)
  return {...outcome, texts: now}
}

/**
 * Pure: the rewrite of one file's text, added to `outcome` (changes, diff, or why it was skipped).
 * Returns the new text when something changed. Also used on texts read from an archive (import --dry-run).
 */
export function planFileRewrite(file: Pick<RewriteFile, 'finalPath' | 'kind'>, text: string, map: PathMap, outcome: RewriteOutcome): string | undefined {
  if (posix.basename(file.finalPath) === '.env') {
    outcome.skipped.push({file: file.finalPath, reason: 'a dotenv file mentions an old path; ocvm does not read secret files, check it by hand'})
    return undefined
  }
  let result: {text: string; changes: StringChange[]}
  try {
    result = rewriterFor(file.kind, map)(text)
  } catch {
    outcome.skipped.push({file: file.finalPath, reason: 'not valid JSON5, left as is'})
    return undefined
  }
  if (result.changes.length === 0) return undefined
  outcome.changes.push(...result.changes.map((c) => ({file: file.finalPath, key: c.key, from: c.from, to: c.to})))
  outcome.diffs.push({file: file.finalPath, diff: maskConfigSecrets(formatChangesAsDiff(file.finalPath, text, result.text))})
  return result.text
}

function changedOrUndefined(before: string, after: string): string | undefined {
  return after === before ? undefined : after
}

/** The old dirs that get mapped (the needles grep looks for). */
export function oldDirs(state: RewriteScope): string[] {
  return state.mappings.filter((m) => m.from !== m.to).map((m) => m.from)
}

/**
 * Finds the files under the roots (on the source, or in staging on the target) that mention an old
 * dir, and rewrites them. Read from `where`, named by where they will live on the target.
 */
async function rewriteRoots(shell: Shell, state: RewriteScope, where: 'source' | 'staging', write: boolean): Promise<RewriteOutcome> {
  const needles = oldDirs(state)
  if (needles.length === 0) return {changes: [], diffs: [], skipped: []}
  const texts = await readFilesMentioning(shell, state.roots.map((r) => r[where]), needles)
  const configFiles = new Set<string>()
  const located = [...texts.keys()].map((file) => {
    const root = state.roots.find((r) => isInside(file, r[where]))
    const rel = root ? posix.relative(root[where], file) : ''
    const finalPath = root ? posix.join(root.target, rel) : file
    if (root && state.source.configFiles.includes(posix.join(root.source, rel))) configFiles.add(finalPath)
    return {readPath: file, finalPath}
  })
  const list: RewriteFile[] = located.map((f) => ({...f, kind: classifyRewriteFile(f.finalPath, state.target.stateDir, configFiles)}))
  return rewriteFiles(shell, list, new PathMap(state.mappings), write, texts)
}

/** The path changes a migration will make, computed on the source files (for the plan and --dry-run). */
export function previewRewrites(source: Shell, state: RewriteScope): Promise<RewriteOutcome> {
  return rewriteRoots(source, state, 'source', false)
}

/** Rewrites the staged copy on the target, before it is activated. */
export function rewriteStaged(target: Shell, state: RewriteScope): Promise<RewriteOutcome> {
  return rewriteRoots(target, state, 'staging', true)
}
