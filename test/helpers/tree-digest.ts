import {createHash} from 'node:crypto'
import {existsSync, lstatSync, readdirSync, readFileSync, readlinkSync} from 'node:fs'
import path from 'node:path'

/** sha256 of every file (and target of every symlink) under a dir, keyed by relative path; empty if the dir is missing. */
export function treeDigest(root: string): Map<string, string> {
  const out = new Map<string, string>()
  const walk = (rel: string) => {
    const abs = path.join(root, rel)
    const st = lstatSync(abs)
    if (st.isSymbolicLink()) out.set(rel, `link:${readlinkSync(abs)}`)
    else if (st.isDirectory()) for (const e of readdirSync(abs)) walk(path.join(rel, e))
    else out.set(rel, createHash('sha256').update(readFileSync(abs)).digest('hex'))
  }
  if (existsSync(root)) walk('')
  return out
}

/** The SHA-256 of every file in a run's source manifest of root `index` (manifest-N.sha256 next to its journal), by relative path. */
export function manifestHashes(runsDir: string, runId: string, index = 0): Map<string, string> {
  const text = readFileSync(path.join(runsDir, runId, `manifest-${index}.sha256`), 'utf8')
  const out = new Map<string, string>()
  for (const record of text.split('\0').filter(Boolean)) out.set(record.slice(0, -65), record.slice(-64))
  return out
}
