import {removeStaging} from '../../deployment/commit.js'
import type {FailureKind} from '../../pipeline/failure.js'
import type {Plan, StepAction} from '../../pipeline/runner.js'
import {COMMIT_STEP, STEP_DESCRIPTIONS, type StepName} from '../../pipeline/state-steps.js'
import {commitStep} from './steps/commit.js'
import {precopyStep, transferStep, verifyStep} from './steps/copy.js'
import type {StateStepEnv} from './steps/env.js'
import {permissionsStep} from './steps/permissions.js'
import {putSourceBack, quiesceStep} from './steps/quiesce.js'
import {rewriteStep} from './steps/rewrite.js'

const nothing: StepAction = async () => {}

/**
 * The plan of a state move (the file driver, or an import from an archive): the standard step
 * actions, with `overrides` for the steps a kind of run does its own way (an import unpacks an
 * archive instead of streaming from a source; a migration runs the hooks).
 */
export function statePlan(env: StateStepEnv, overrides: Partial<Record<StepName, StepAction>>, policy: {hint?: string; removeStagingOn?: (kind: FailureKind) => boolean} = {}): Plan<StepName> {
  return {
    actions: {
      preflight: nothing,
      precopy: precopyStep(env),
      quiesce: quiesceStep(env),
      transfer: transferStep(env),
      verify: verifyStep(env),
      rewrite: rewriteStep(env),
      commit: commitStep(env),
      permissions: permissionsStep(env),
      hooks: nothing,
      report: nothing,
      ...overrides,
    },
    describe: (name) => STEP_DESCRIPTIONS[name],
    commitPoint: COMMIT_STEP,
    repairedBy: 'transfer',
    removeStaging: () => removeStaging(env.target, env.journal.data.roots),
    onCancel: () => putSourceBack(env),
    ...(policy.removeStagingOn ? {removeStagingOn: policy.removeStagingOn} : {}),
    ...(policy.hint ? {hint: policy.hint} : {}),
    ...(env.ctx.signal ? {signal: env.ctx.signal} : {}),
  }
}
