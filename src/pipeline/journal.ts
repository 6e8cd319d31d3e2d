import {randomBytes} from 'node:crypto'
import {mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync} from 'node:fs'
import {homedir, hostname} from 'node:os'
import path from 'node:path'

import {OcvmError, UsageError} from '../errors.js'

/**
 * Every migration run is journaled under ~/.local/state/ocvm/runs/<run-id>/ (0700; files 0600) so
 * `--resume` continues after a crash and `--rollback` knows how to undo. Writes are atomic
 * (write to a temp file, then rename), so a crash never leaves a torn journal. No secret values
 * are ever written here.
 */
export function runsDir(): string {
  const base = process.env.OCVM_RUNS_DIR ?? path.join(process.env.XDG_STATE_HOME ?? path.join(homedir(), '.local', 'state'), 'ocvm', 'runs')
  mkdirSync(base, {recursive: true, mode: 0o700})
  return base
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')
  return `${stamp}-${randomBytes(3).toString('hex')}`
}

/** The process that runs a run, recorded when it starts or resumes: a run whose process is gone was interrupted. */
export interface RunOwner {
  pid: number
  host: string
}

export function runOwner(): RunOwner {
  return {pid: process.pid, host: hostname()}
}

const RUN_ID_RE = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/

export class Journal<T extends object> {
  readonly dir: string

  private constructor(readonly runId: string, private state: T) {
    this.dir = path.join(runsDir(), runId)
  }

  static create<T extends object>(runId: string, initial: T): Journal<T> {
    const journal = new Journal(runId, initial)
    mkdirSync(journal.dir, {recursive: true, mode: 0o700})
    journal.save()
    return journal
  }

  static open<T extends object>(runId: string): Journal<T> {
    if (!RUN_ID_RE.test(runId)) throw new UsageError(`"${runId}" is not a run id`, 'Run ids look like 20261124T101500Z-a1b2c3; `ocvm migrate` prints the id of each run.')
    const file = path.join(runsDir(), runId, 'journal.json')
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      throw new OcvmError('run-not-found', `no journal for run ${runId} in ${runsDir()}`, {hint: 'Check the run id (ocvm prints it at the start of every migration) and that you run ocvm as the same user on the same machine.'})
    }
    return new Journal(runId, parseJournalText<T>(text, file))
  }

  get data(): T {
    return this.state
  }

  update(patch: Partial<T>): void {
    this.state = {...this.state, ...patch}
    this.save()
  }

  /** Large artefacts (manifests) live next to the journal. */
  writeArtifact(name: string, value: unknown): void {
    writeAtomic(path.join(this.dir, name), JSON.stringify(value))
  }

  readArtifact<V>(name: string): V {
    const file = path.join(this.dir, name)
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      throw new OcvmError('journal-corrupt', `${file} is missing`, {hint: 'The run cannot continue from this journal: roll it back (--rollback) and start a new migration.'})
    }
    return parseJournalText<V>(text, file)
  }

  private save(): void {
    writeAtomic(path.join(this.dir, 'journal.json'), JSON.stringify(this.state, null, 2))
  }
}

/** A journal or manifest that is not JSON (edited, or a disk error) is a clear error, never a crash. */
function parseJournalText<T>(text: string, file: string): T {
  try {
    const value = JSON.parse(text) as unknown
    if (typeof value !== 'object' || value === null) throw new Error('not an object')
    return value as T
  } catch {
    throw new OcvmError('journal-corrupt', `${file} is not a valid ocvm journal file`, {hint: 'Do not edit journal files. Roll the run back (--rollback) if its journal.json still reads, or start a new migration.'})
  }
}

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`
  writeFileSync(tmp, text, {mode: 0o600})
  renameSync(tmp, file)
}

/** Every journal in the runs dir, newest first (unreadable ones are skipped). */
export function listJournals<T extends object>(): Array<{runId: string; data: T}> {
  const out: Array<{runId: string; data: T}> = []
  for (const runId of readdirSync(runsDir()).filter((d) => RUN_ID_RE.test(d)).sort().reverse()) {
    try {
      out.push({runId, data: JSON.parse(readFileSync(path.join(runsDir(), runId, 'journal.json'), 'utf8')) as T})
    } catch {
      // A run dir without a readable journal (crash before the first write): nothing to learn from it.
    }
  }
  return out
}
