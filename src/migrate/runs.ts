import {hostname} from 'node:os'

import {Journal, listJournals, type RunOwner} from '../pipeline/journal.js'
import type {ImageMigrationState} from './image/types.js'
import type {MigrationState} from './types.js'

/** Where a run stands, as a user looks for the one to resume or roll back. */
export type RunStatus = 'running' | 'interrupted' | 'failed' | 'migrated' | 'partial' | 'rolled-back'

export interface RunSummary {
  runId: string
  /** `state`: a bare-host (file driver) move; `image`: a VM move; `import`: an archive unpacked onto a host. */
  kind: 'state' | 'image' | 'import'
  driver: string
  status: RunStatus
  from: string
  to: string
  createdAt: string
  /** The step it is at (running), stopped at (interrupted, failed), or `done`. */
  step: string
  /** Past the commit point: the target holds the moved deployment. */
  committed: boolean
  error?: {code: string; message: string}
  /** The commands that continue or undo it, in the order a user would consider them. */
  next: string[]
}

export interface RunDetail extends RunSummary {
  /** The run's journal (paths, names, sizes, checksums and step records; never a secret value). */
  journal: MigrationState | ImageMigrationState
}

type AnyState = MigrationState | ImageMigrationState

function alive(owner: RunOwner | undefined): boolean {
  if (!owner || owner.host !== hostname()) return false
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Pure apart from asking whether the recorded process still lives. */
export function summarize(runId: string, data: AnyState): RunSummary {
  const image = 'kind' in data && data.kind === 'image'
  const archive = !image && (data as MigrationState).archive
  const kind = image ? 'image' : archive ? 'import' : 'state'
  const status = runStatus(data)
  const current = data.steps.find((s) => s.status === 'running' || s.status === 'failed') ?? data.steps.find((s) => s.status === 'pending')
  const options = data.options
  const next: string[] = []
  if (status === 'interrupted' || status === 'failed') {
    if (kind !== 'import') next.push(`ocvm migrate --resume ${runId}`)
    next.push(`ocvm migrate --rollback ${runId}`)
  } else if (status === 'migrated' || status === 'partial') {
    next.push(`ocvm verify --on ${options.to}`, `ocvm migrate --rollback ${runId}`)
  }
  return {
    runId, kind, driver: options.driver, status,
    from: archive ? archive.file : options.from, to: options.to,
    createdAt: data.createdAt,
    step: status === 'migrated' || status === 'partial' || status === 'rolled-back' ? 'done' : current?.name ?? 'done',
    committed: data.committed,
    ...(data.error ? {error: data.error} : {}),
    next,
  }
}

function runStatus(data: AnyState & {owner?: RunOwner}): RunStatus {
  switch (data.status) {
    case 'rolled-back': return 'rolled-back'
    case 'completed': return data.hooks?.status === 'partial' || data.hooks?.status === 'failed' ? 'partial' : 'migrated'
    case 'failed': return data.error?.code === 'cancelled' ? 'interrupted' : 'failed'
    case 'running': return alive(data.owner) ? 'running' : 'interrupted'
  }
}

/** Every migration and import run journaled on this machine, newest first. */
export function listRuns(): RunSummary[] {
  return listJournals<AnyState>().filter((j) => j.data.options && Array.isArray(j.data.steps)).map((j) => summarize(j.runId, j.data))
}

export function showRun(runId: string): RunDetail {
  const journal = Journal.open<AnyState>(runId)
  return {...summarize(runId, journal.data), journal: journal.data}
}
