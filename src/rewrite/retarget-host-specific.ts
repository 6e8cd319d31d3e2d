import {existingPaths, isInside, posix, readTextFile} from '../hosts/remote-fs.js'
import type {Shell} from '../hosts/shell.js'
import {writeBack, type RewriteScope} from './staged.js'
import {applyRetargets, decideRetarget, findHostSpecific, retargetKey, type HostSpecificValue, type Retarget} from './host-specific.js'

export interface RetargetedValue {
  file: string
  key: string
  from: string
  action: Exclude<Retarget['action'], 'keep'>
  to?: string
}

// Programs by name on the target: the login PATH plus the usual install dirs (a non-login ssh
// shell has a short PATH).
const WHICH = String.raw`
home="$1"; shift
PATH="$PATH:/usr/local/bin:/usr/local/sbin:/opt/homebrew/bin:/snap/bin:$home/.local/bin:$home/.npm-global/bin"
for n in "$@"; do p=$(command -v -- "$n" 2>/dev/null || true); case "$p" in /*) ;; *) p="" ;; esac; printf '%s\t%s\0' "$n" "$p"; done
`

/**
 * Re-detects the programs and native libraries pinned in the config files (already in staging on
 * the target): kept when they exist there, re-pointed to the same program on the target, cleared
 * for a library that does not exist (OpenClaw then loads its own build for the platform), or
 * reported when nothing fits. `files` are read from `readPath` (unless `known` has their text
 * already), reported as `finalPath`.
 */
export async function retargetHostSpecific(target: Shell, files: ReadonlyArray<{readPath: string; finalPath: string}>, targetHome: string, write: boolean, known?: ReadonlyMap<string, string>): Promise<RetargetedValue[]> {
  const found: Array<{file: {readPath: string; finalPath: string}; text: string; values: HostSpecificValue[]}> = []
  const texts = await Promise.all(files.map((file) => known?.get(file.readPath) ?? readTextFile(target, file.readPath)))
  for (const [i, file] of files.entries()) {
    const text = texts[i]
    if (text === undefined) continue
    let values: HostSpecificValue[]
    try {
      values = findHostSpecific(text)
    } catch {
      continue // not JSON5: the path rewrite already reported it
    }
    if (values.length > 0) found.push({file, text, values})
  }
  const all = found.flatMap((f) => f.values)
  if (all.length === 0) return []
  const exists = await existingPaths(target, [...new Set(all.map((v) => v.value))])
  const names = [...new Set(all.filter((v) => v.kind === 'executable' && !exists.has(v.value)).map((v) => posix.basename(v.value)))]
  const located = new Map<string, string>()
  if (names.length > 0) {
    const out = await target.script(WHICH, [targetHome, ...names], {timeoutMs: 60_000})
    for (const record of out.stdout.split('\0')) {
      const [name, where] = record.split('\t')
      if (name && where) located.set(name, where)
    }
  }

  const report: RetargetedValue[] = []
  const writes: Array<Promise<void>> = []
  for (const {file, text, values} of found) {
    const decisions = new Map<string, Retarget>()
    for (const v of values) {
      const decision = decideRetarget(v, exists.has(v.value), located.get(posix.basename(v.value)))
      decisions.set(retargetKey(v), decision)
      if (decision.action !== 'keep') report.push({file: file.finalPath, key: v.key, from: v.value, action: decision.action, ...(decision.action === 'redetect' ? {to: decision.to} : {})})
    }
    const result = applyRetargets(text, decisions)
    if (write && result.changes.length > 0) writes.push(writeBack(target, file.readPath, result.text))
  }
  await Promise.all(writes)
  return report
}

/** The config files of a run as they sit in staging on the target, named by where they will live. */
export function stagedConfigFiles(state: RewriteScope): Array<{readPath: string; finalPath: string}> {
  return state.source.configFiles.flatMap((file) => {
    const root = state.roots.find((r) => isInside(file, r.source))
    if (!root) return []
    const rel = posix.relative(root.source, file)
    return [{readPath: posix.join(root.staging, rel), finalPath: posix.join(root.target, rel)}]
  })
}

/** One line per value for the report: what was translated, and what needs a human. */
export function describeRetargeted(v: RetargetedValue): string {
  if (v.action === 'redetect') return `${v.key} in ${v.file}: ${v.from} does not exist here; re-pointed to ${v.to}`
  if (v.action === 'clear') return `${v.key} in ${v.file}: the pinned library ${v.from} does not exist here; cleared so OpenClaw loads its own sqlite-vec build for this platform`
  return `${v.key} in ${v.file}: ${v.from} does not exist on the target and no ${posix.basename(v.from)} is installed there: install it, then set ${v.key}`
}

/**
 * The rewrite step's one-line account of the pinned paths: each outcome counted on its own, so a
 * program that could not be found here is never counted as re-detected.
 */
export function countRetargeted(values: readonly RetargetedValue[]): string {
  const n = (action: RetargetedValue['action']) => values.filter((v) => v.action === action).length
  const parts = [
    n('redetect') > 0 ? `${n('redetect')} pinned program path(s) re-detected for this host` : '',
    n('clear') > 0 ? `${n('clear')} pinned library path(s) cleared (OpenClaw loads its own build)` : '',
    n('missing') > 0 ? `${n('missing')} pinned program(s) missing here, left as they were (see the next steps)` : '',
  ]
  return parts.filter(Boolean).join(', ')
}
