// An in-memory manifest: what an archive declares (ocvm export, openclaw backup). Trees on hosts
// are compared as streams of sorted records instead (tree-records.ts), whatever their size.

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
