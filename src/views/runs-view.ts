import type {RunDetail, RunSummary} from '../migrate/runs.js'
import {table} from '../output/format.js'
import {nextLines} from './footer.js'

const WORD: Record<RunSummary['status'], string> = {
  running: 'running', interrupted: 'interrupted', failed: 'failed', migrated: 'migrated', partial: 'partial', 'rolled-back': 'rolled back',
}

export function renderRunList(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'No runs on this machine yet (`ocvm migrate` and `ocvm import` journal each run here).'
  return table(['RUN', 'KIND', 'STATUS', 'STEP', 'FROM', 'TO'], runs.map((r) => [r.runId, r.kind === 'image' ? `image (${r.driver})` : r.kind, WORD[r.status], r.step, r.from, r.to]))
}

export function renderRun(run: RunDetail): string {
  const out = [
    `Run ${run.runId}: ${WORD[run.status]} (${run.kind}, driver ${run.driver}, started ${run.createdAt})`,
    `From ${run.from} to ${run.to}; ${run.committed ? 'past the commit point: the target holds the moved deployment' : 'not committed: nothing on the target is in service'}`,
  ]
  if (run.error) out.push(`Error: ${run.error.message}`)
  out.push('', table(['STEP', 'STATUS', 'DETAIL'], run.journal.steps.map((s) => [s.name, s.status, s.detail ?? ''])))
  out.push(...nextLines(run.next))
  return out.join('\n')
}
