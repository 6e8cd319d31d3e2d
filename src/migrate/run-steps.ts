import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import type {Reporter} from '../output/reporter.js'
import {activateRoot, applyPermissions, removeStaging} from './commit.js'
import type {Journal} from './journal.js'
import {quarantineSessions} from './quarantine.js'
import {retargetHostSpecific, stagedConfigFiles} from './retarget-host-specific.js'
import {rewriteStaged} from './rewrite-paths.js'
import {COMMIT_STEP, STEP_DESCRIPTIONS, STEPS} from './steps.js'
import type {MigrationState, SessionsMode, StepName, StepRecord} from './types.js'

// What `migrate` and `import` share once the state is in staging on the target: the step loop
// with its journal, and the rewrite → commit → permissions steps themselves.

export type StepActions = Record<StepName, () => Promise<string | void>>

export interface FailurePolicy {
  /** Remove the staging dirs when a step before the commit point fails with this error. */
  cleanStaging(error: OcvmError | undefined): boolean
  /** Appended to the error's hint (how to continue or go back). */
  hint?(runId: string): string
}

/** The steps after verify: rewrite paths in staging, activate it, apply the guide's permissions. */
export function stagedActions(target: Shell, journal: Journal<MigrationState>, options: {sessions: SessionsMode; force: boolean}): Pick<StepActions, 'rewrite' | 'commit' | 'permissions'> {
  return {
    rewrite: async () => {
      const outcome = await rewriteStaged(target, journal.data)
      journal.update({changes: outcome.changes})
      let detail = `${outcome.changes.length} path(s) rewritten in ${new Set(outcome.changes.map((c) => c.file)).size} file(s)`
      const retargeted = await retargetHostSpecific(target, stagedConfigFiles(journal.data), journal.data.target.home, true, outcome.texts)
      journal.update({retargeted})
      if (retargeted.length > 0) detail += `; ${retargeted.length} pinned program/library path(s) re-detected for this host`
      if (options.sessions === 'scan') {
        const state = journal.data.roots.find((r) => r.kind === 'state')
        const quarantined = state ? await quarantineSessions(target, state.staging) : []
        journal.update({quarantined})
        detail += `; ${quarantined.length} poisoned session(s) quarantined`
      }
      return detail
    },
    commit: async () => {
      const roots = journal.data.roots.map((r) => ({...r}))
      for (const root of roots) {
        if (root.activated) continue
        // Journaled before the rename: a resumed run then knows a missing staging dir next to a
        // present target is this run's own, already activated.
        const again = root.activating === true
        root.activating = true
        journal.update({roots})
        await activateRoot(target, root, {force: options.force, runId: journal.runId, again})
        root.activated = true
        journal.update({roots, committed: true})
      }
    },
    permissions: async () => {
      const {target: t, roots} = journal.data
      await applyPermissions(target, t.stateDir, `${t.user}:${t.group}`, roots.filter((r) => r.kind !== 'state').map((r) => r.target))
    },
  }
}

/** Runs the steps not done yet, in order, journaling each; on failure records it and applies the policy. */
export async function runSteps(journal: Journal<MigrationState>, actions: StepActions, target: Shell, reporter: Reporter, policy: FailurePolicy): Promise<void> {
  for (const name of STEPS) {
    const record = journal.data.steps.find((s) => s.name === name)
    if (!record || record.status === 'done' || record.status === 'skipped') continue
    setStep(journal, name, {status: 'running', startedAt: new Date().toISOString()})
    reporter.step(`${name}: ${STEP_DESCRIPTIONS[name]}`)
    try {
      const detail = await actions[name]()
      setStep(journal, name, {status: 'done', finishedAt: new Date().toISOString(), ...(detail ? {detail} : {})})
    } catch (error) {
      await onFailure(error, name, journal, target, policy)
      throw error
    }
  }
}

export function setStep(journal: Journal<MigrationState>, name: StepName, patch: Partial<StepRecord>): void {
  journal.update({steps: journal.data.steps.map((s) => (s.name === name ? {...s, ...patch} : s))})
}

async function onFailure(error: unknown, step: StepName, journal: Journal<MigrationState>, target: Shell, policy: FailurePolicy): Promise<void> {
  const e = error instanceof OcvmError ? error : undefined
  setStep(journal, step, {status: 'failed', finishedAt: new Date().toISOString(), detail: e?.message ?? String(error)})
  journal.update({status: 'failed', error: {code: e?.code ?? 'error', message: e?.message ?? String(error)}})
  // Staging that failed verification is repaired by the transfer step: a resumed run sends the
  // damaged and missing files again (and only those), then verifies again.
  if (step === 'verify' && e?.code === 'verify-failed') setStep(journal, 'transfer', {status: 'pending'})
  const beforeCommit = STEPS.indexOf(step) < STEPS.indexOf(COMMIT_STEP) || !journal.data.committed
  if (beforeCommit && policy.cleanStaging(e)) await removeStaging(target, journal.data.roots)
  if (e) {
    const extra = policy.hint?.(journal.runId)
    if (extra) (e as {hint: string | undefined}).hint = `${e.hint ?? ''} ${extra}`.trim()
    e.details.runId = journal.runId
  }
}

/** A full disk cannot be resumed into: staging is cleaned so the target is left as it was. */
export function isDiskFull(error: OcvmError | undefined): boolean {
  return Boolean(error && /No space left|target-disk-full/.test(`${error.message} ${error.code}`))
}
