import {keyPathToString, rewriteJson5Strings, scanJson5Strings, type StringChange} from './json5-rewrite.js'

// Config values that name a program or a native library on the machine itself, not data that
// moves with the deployment: `/opt/homebrew/bin/claude`, `/usr/local/bin/signal-cli`, a pinned
// `vec0.dylib`. After a move to another machine (above all another OS or CPU) they point at
// nothing; they are re-detected on the target instead of copied (openclaw.md §2, §5).

export type HostSpecificKind = 'executable' | 'library'

const KEYS: ReadonlyArray<{pattern: RegExp; kind: HostSpecificKind}> = [
  // memory.search.store.vector.extensionPath, agents.*.memorySearch.store.vector.extensionPath
  {pattern: /(^|\.)store\.vector\.extensionPath$/, kind: 'library'},
  {pattern: /^cliBackends\.[^.]+\.command$/, kind: 'executable'},
  // 2026.2: channels.signal.cliPath; 2026.9: channels.signal[.accounts.<id>].transport.cliPath.
  {pattern: /^channels\.signal(?:\.accounts\.[^.]+)?(?:\.transport)?\.cliPath$/, kind: 'executable'},
  {pattern: /^browser\.executablePath$/, kind: 'executable'},
  {pattern: /^memory\.qmd\.command$/, kind: 'executable'},
]

export interface HostSpecificValue {
  key: string
  value: string
  kind: HostSpecificKind
}

/** Pure: the absolute program and library paths an OpenClaw config pins. */
export function findHostSpecific(text: string): HostSpecificValue[] {
  const out: HostSpecificValue[] = []
  for (const literal of scanJson5Strings(text)) {
    const key = keyPathToString(literal.path)
    const rule = KEYS.find((k) => k.pattern.test(key))
    if (rule && literal.value.startsWith('/')) out.push({key, value: literal.value, kind: rule.kind})
  }
  return out
}

/** What to do with one pinned value on the target. */
export type Retarget =
  | {action: 'keep'}
  | {action: 'redetect'; to: string}
  | {action: 'clear'}
  | {action: 'missing'}

/**
 * Pure: decides for each pinned value. A path that exists on the target stays. A missing program
 * found on the target's PATH under the same name is re-pointed there; one not found stays and is
 * reported. A missing native library is cleared, so OpenClaw loads the sqlite-vec build it ships for
 * the target's platform (an empty extensionPath means "use the bundled one").
 */
export function decideRetarget(value: HostSpecificValue, exists: boolean, found: string | undefined): Retarget {
  if (exists) return {action: 'keep'}
  if (value.kind === 'library') return {action: 'clear'}
  return found ? {action: 'redetect', to: found} : {action: 'missing'}
}

/** Pure: applies the decisions to the config text (comments and formatting kept). */
export function applyRetargets(text: string, decisions: ReadonlyMap<string, Retarget>): {text: string; changes: StringChange[]} {
  return rewriteJson5Strings(text, (value, key) => {
    const decision = decisions.get(`${key}\u0000${value}`)
    if (decision?.action === 'redetect') return decision.to
    if (decision?.action === 'clear') return ''
    return undefined
  })
}

export const retargetKey = (v: Pick<HostSpecificValue, 'key' | 'value'>) => `${v.key}\u0000${v.value}`
