import path from 'node:path'
import type {Readable} from 'node:stream'

import type {Shell} from '../hosts/shell.js'
import {pathList, readRecords, RecordFileWriter} from '../transfer/record-files.js'
import {compareTrees, type TreeFiles} from '../transfer/tree-diff.js'

// What a transfer into a staging dir that already holds something (an interrupted attempt, the
// pre-copy, a copy seeded from the target) still has to do: send what is missing or differs,
// remove what the source does not have, fix modes. Lists of paths are files, never arrays.

export interface ResendPlan {
  /** Files of NUL-terminated relative paths: what to send, and what to remove from staging. */
  todo: string
  extras: string
  /** Files whose content is intact but whose mode differs, by the mode they need (a file of paths each). */
  modes: Map<string, string>
  paths: number
  bytes: number
  intact: number
}

/**
 * Entries missing from staging or different there (dirs are always re-sent: cheap, and restores
 * their modes). A file that is intact but has another mode (a copy seeded from the target, where
 * the permission step ran) only needs a chmod.
 */
export async function planResend(journalDir: string, index: number, expected: TreeFiles, staged: TreeFiles): Promise<ResendPlan> {
  const nul = Buffer.alloc(1)
  const todo = new RecordFileWriter(path.join(journalDir, `resend-${index}`))
  const extras = new RecordFileWriter(path.join(journalDir, `extras-${index}`))
  const chmods = new Map<string, RecordFileWriter>()
  const plan: ResendPlan = {todo: todo.file, extras: extras.file, modes: new Map(), paths: 0, bytes: 0, intact: 0}
  const write = (w: RecordFileWriter, p: Buffer) => new Promise<void>((resolve, reject) => w.write(Buffer.concat([p, nul]), (e) => (e ? reject(e) : resolve())))
  for await (const v of compareTrees(expected, staged)) {
    if (v.verdict === 'extra') {
      await write(extras, v.path)
    } else if (v.verdict === 'differs' && v.modeOnly && v.expected?.type === 'f') {
      const mode = v.expected.mode
      let w = chmods.get(mode)
      if (!w) chmods.set(mode, (w = new RecordFileWriter(path.join(journalDir, `chmod-${index}-${mode}`))))
      await write(w, v.path)
      plan.intact++
    } else if (v.expected && (v.verdict !== 'same' || v.expected.type === 'd')) {
      await write(todo, v.path)
      plan.paths++
      if (v.expected.type === 'f') plan.bytes += v.expected.size
    } else {
      plan.intact++
    }
  }
  await Promise.all([todo.commit(), extras.commit(), ...[...chmods.values()].map((w) => w.commit())])
  for (const [mode, w] of chmods) plan.modes.set(mode, w.file)
  return plan
}

// Paths arrive on stdin, NUL-terminated and relative to staging (never as arguments: there may be
// more than a command line holds).
const REMOVE_EXTRAS = 'cd -- "$1" && xargs -0 -r rm -rf --'
const CHMOD_LIST = 'cd -- "$1" && xargs -0 -r chmod -- "$2"'

/** On resume, files the source no longer has must not survive in staging. */
export async function removeExtras(target: Shell, staging: string, list: string): Promise<void> {
  const paths = await nonEmpty(list)
  if (paths) await target.script(REMOVE_EXTRAS, [staging], {stdin: paths, timeoutMs: 10 * 60_000})
}

export async function fixModes(target: Shell, staging: string, lists: ReadonlyMap<string, string>): Promise<void> {
  for (const [mode, list] of lists) {
    const paths = await nonEmpty(list)
    if (paths) await target.script(CHMOD_LIST, [staging, mode], {stdin: paths, timeoutMs: 10 * 60_000})
  }
}

/** The paths of a list as a stream for stdin, or undefined when there are none. */
async function nonEmpty(list: string): Promise<Readable | undefined> {
  const records = readRecords(list)
  const first = await records.next()
  if (first.done) return undefined
  return pathList((async function* () {
    yield first.value
    yield* records
  })(), (p) => p)
}

