import {CancelledError, OcvmError} from '../errors.js'
import type {Reporter} from '../output/reporter.js'
import {classifyFailure, type FailureKind} from './failure.js'
import type {RunLog} from './run-log.js'

export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped'

export interface StepRecord<N extends string = string> {
  name: N
  status: StepStatus
  startedAt?: string
  finishedAt?: string
  detail?: string
}

/** What the runner reads and writes in a run's journal; every plan's journal has it. */
export interface RunRecord<N extends string> {
  steps: StepRecord<N>[]
  /** Set once the commit point is passed: from then on the target holds the moved deployment. */
  committed: boolean
  status: 'running' | 'failed' | 'completed' | 'rolled-back'
  error?: {code: string; message: string}
}

/** A step's work; resolves to a one-line detail for the journal and the result. */
export type StepAction = () => Promise<string | void>

/**
 * A migration, export or import as the runner sees it: the actions of the steps its journal lists
 * (in that order), where the commit point is, and how to leave the target after a failure.
 */
export interface Plan<N extends string> {
  actions: Record<N, StepAction>
  describe(name: N): string
  /** Once this step is done the run is committed; before it, a failure leaves only staging on the target. */
  commitPoint: N
  /** The step that repairs damaged staging: a step failing verification sends it back to pending. */
  repairedBy?: N
  /** Removes what the run staged on the target (not the target itself, not the source). */
  removeStaging(): Promise<void>
  /** Which failures before the commit point remove staging (default: a full disk, which cannot be resumed into). */
  removeStagingOn?: (kind: FailureKind) => boolean
  /** Appended to a failure's hint: how to continue or go back. */
  hint?: string
  /**
   * Cancelled (Ctrl-C, SIGTERM) before the commit point: puts the source back as it was before the
   * run (restarts a stopped gateway), and says what it did. Its commands run to their end.
   */
  onCancel?: () => Promise<string>
  signal?: AbortSignal
}

/**
 * The one step runner: runs the steps not done yet in journal order, journaling each (so a crash
 * or Ctrl-C resumes where it stopped), marks the commit point, and on a failure records it,
 * cleans up by the plan's rules and tells the user how to continue.
 */
export async function runPlan<N extends string, S extends RunRecord<N>>(journal: RunLog<S>, plan: Plan<N>, reporter: Reporter): Promise<void> {
  for (const name of journal.data.steps.map((s) => s.name)) {
    const record = journal.data.steps.find((s) => s.name === name)
    if (!record || record.status === 'done' || record.status === 'skipped') continue
    setStep(journal, name, {status: 'running', startedAt: new Date().toISOString()})
    reporter.step(`${name}: ${plan.describe(name)}`)
    try {
      const detail = await plan.actions[name]()
      setStep(journal, name, {status: 'done', finishedAt: new Date().toISOString(), ...(detail ? {detail} : {})})
      if (name === plan.commitPoint && !journal.data.committed) journal.update({committed: true} as Partial<S>)
    } catch (error) {
      throw await onFailure(error, name, journal, plan)
    }
  }
}

export function setStep<N extends string, S extends RunRecord<N>>(journal: RunLog<S>, name: N, patch: Partial<StepRecord<N>>): void {
  journal.update({steps: journal.data.steps.map((s) => (s.name === name ? {...s, ...patch} : s))} as Partial<S>)
}

/** Records the failure, cleans up by the plan's rules; returns the error to throw (with the way on in its hint). */
async function onFailure<N extends string, S extends RunRecord<N>>(error: unknown, step: N, journal: RunLog<S>, plan: Plan<N>): Promise<unknown> {
  const kind = classifyFailure(error, plan.signal)
  if (kind === 'cancelled') return cancelled(step, journal, plan)
  const e = error instanceof OcvmError ? error : undefined
  const message = e?.message ?? String(error)
  setStep(journal, step, {status: 'failed', finishedAt: new Date().toISOString(), detail: message})
  journal.update({status: 'failed', error: {code: e?.code ?? 'error', message}} as Partial<S>)
  // Damaged staging is repaired, not restarted: a resumed run sends the damaged and missing files
  // again (and only those), then verifies again.
  if (kind === 'verify-failed' && plan.repairedBy) setStep(journal, plan.repairedBy, {status: 'pending'})
  const removeOn = plan.removeStagingOn ?? ((k: FailureKind) => k === 'disk-full')
  if (!journal.data.committed && removeOn(kind)) await plan.removeStaging()
  if (e) {
    if (plan.hint) (e as {hint: string | undefined}).hint = `${e.hint ?? ''} ${plan.hint}`.trim()
    if (journal.runId) e.details.runId = journal.runId
  }
  return error
}

/**
 * A cancelled step goes back to pending (a resumed run does it again); before the commit point
 * the source is put back as it was. Whatever the step's own error was, what the user learns is
 * that the run was cancelled there, what the cleanup did, and how to continue or go back.
 */
async function cancelled<N extends string, S extends RunRecord<N>>(step: N, journal: RunLog<S>, plan: Plan<N>): Promise<CancelledError> {
  setStep(journal, step, {status: 'pending', detail: 'cancelled'})
  let cleanup = ''
  if (!journal.data.committed && plan.removeStagingOn?.('cancelled')) await plan.removeStaging()
  if (!journal.data.committed && plan.onCancel) {
    try {
      cleanup = await plan.onCancel()
    } catch (error) {
      cleanup = `putting the source back failed: ${error instanceof Error ? error.message : String(error)}`
    }
  }
  journal.update({status: 'failed', error: {code: 'cancelled', message: `cancelled during ${step}`}} as Partial<S>)
  const where = journal.data.committed ? 'after the commit point: the target holds the moved deployment' : 'before the commit point: nothing on the target is in service'
  const error = new CancelledError(`cancelled during ${step}, ${where}${cleanup ? `; ${cleanup}` : ''}`, plan.hint)
  if (journal.runId) error.details.runId = journal.runId
  return error
}
