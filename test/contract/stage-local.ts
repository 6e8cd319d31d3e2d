import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync} from 'node:fs'
import path from 'node:path'

import type {ExportSet} from '../../src/drivers/api.js'

/** Copies an export set into a new staging dir under `root` (same machine), keeping holes. */
export function stageLocally(exportSet: ExportSet, root: string): string {
  mkdirSync(root, {recursive: true})
  const staging = mkdtempSync(path.join(root, 'staging-'))
  for (const f of exportSet.files) {
    const dest = path.join(staging, f.relPath)
    mkdirSync(path.dirname(dest), {recursive: true})
    execFileSync('cp', [f.sparse ? '--sparse=always' : '--sparse=never', f.source, dest])
  }
  return staging
}

/** Writes `text` at byte `offset` of a file without truncating it (data between holes). */
export function writeAt(file: string, offset: number, text: string): void {
  execFileSync('dd', ['of=' + file, 'bs=1', `seek=${offset}`, 'conv=notrunc', 'status=none'], {input: text})
}
