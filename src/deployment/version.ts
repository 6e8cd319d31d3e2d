import type {TreeEntry} from '../hosts/remote-fs.js'
import type {LayoutGeneration} from './types.js'

/** OpenClaw versions are calendar versions: 2026.9.6, 2026.2.22-1, 2026.7.2-beta.3. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => (/^(\d+)\.(\d+)\.(\d+)/.exec(v)?.slice(1) ?? ['0', '0', '0']).map(Number)
  const [x, y] = [parse(a), parse(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  // A pre-release (2026.7.2-beta.1) sorts before its release.
  const preA = a.includes('-beta') || a.includes('-rc')
  const preB = b.includes('-beta') || b.includes('-rc')
  return preA === preB ? 0 : preA ? -1 : 1
}

/** Sessions moved into SQLite in 2026.7.2 (openclaw.md §0). */
export const SQLITE_SESSIONS_SINCE = '2026.7.2'

/** Pure: which on-disk generation a state dir is, and why we think so. */
export function detectLayout(stateDir: string, entries: readonly TreeEntry[], version: string | undefined): {generation: LayoutGeneration; evidence: string} {
  const rel = (p: string) => p.slice(stateDir.length + 1)
  const sqlite = entries.find((e) => /^(state\/openclaw\.sqlite|agents\/[^/]+\/agent\/openclaw-agent\.sqlite)$/.test(rel(e.path)))
  if (sqlite) return {generation: 'sqlite', evidence: `${rel(sqlite.path)} exists`}
  const jsonl = entries.find((e) => /^agents\/[^/]+\/sessions\/(sessions\.json|[^/]+\.jsonl)$/.test(rel(e.path)))
  if (jsonl) return {generation: 'jsonl', evidence: `${rel(jsonl.path)} exists`}
  if (version) {
    return compareVersions(version, SQLITE_SESSIONS_SINCE) >= 0
      ? {generation: 'sqlite', evidence: `version ${version} stores sessions in SQLite`}
      : {generation: 'jsonl', evidence: `version ${version} stores sessions as JSONL`}
  }
  return {generation: 'unknown', evidence: 'no sessions and no version found'}
}
