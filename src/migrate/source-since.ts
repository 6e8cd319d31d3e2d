import {existsSync} from 'node:fs'

import {settledInOrder} from '../hosts/in-order.js'
import type {Shell} from '../hosts/shell.js'
import {listRecords, mergeByPath} from '../transfer/tree-diff.js'
import {fetchTree} from '../transfer/tree-listing.js'
import {manifestFiles, scratchFiles} from './run-manifests.js'
import type {MigrationState} from './types.js'

/**
 * How a completed run's source compares with the source now: the entries listed again (type, mode,
 * size, mtime, link target; no checksums) against the run's final manifest. Undefined when the run
 * kept no such manifest (ocvm before 0.2).
 */
export async function sourceSinceRun(source: Shell, state: MigrationState, journalDir: string, signal?: AbortSignal): Promise<{entries: number; changed: number} | undefined> {
  if (!state.roots.every((r) => existsSync(manifestFiles(journalDir, r.index).listing))) return undefined
  const perRoot = await settledInOrder(state.roots.map(async (root) => {
    const stored = manifestFiles(journalDir, root.index)
    const now = scratchFiles(journalDir, `now-${root.index}`, true)
    try {
      const found = await fetchTree(source, root.source, now.listing, {kind: 'list-mtime', exclude: root.exclude, ...(signal ? {signal} : {})})
      if (!found) return {entries: 0, changed: 1}
      const figures = {entries: 0, changed: 0}
      for await (const m of mergeByPath(listRecords(stored), listRecords(now))) {
        figures.entries++
        if (!m.a || !m.b || !m.a.identity.equals(m.b.identity) || m.a.mtime !== m.b.mtime) figures.changed++
      }
      return figures
    } finally {
      now.remove()
    }
  }))
  return perRoot.reduce((t, r) => ({entries: t.entries + r.entries, changed: t.changed + r.changed}), {entries: 0, changed: 0})
}

