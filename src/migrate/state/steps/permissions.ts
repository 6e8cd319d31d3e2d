import {applyPermissions} from '../../../deployment/commit.js'
import type {StepAction} from '../../../pipeline/runner.js'
import type {StateStepEnv} from './env.js'

/** The guide's Step 7: the target user owns everything, with its modes. */
export function permissionsStep({journal, target}: StateStepEnv): StepAction {
  return async () => {
    const {target: t, roots} = journal.data
    await applyPermissions(target, t.stateDir, `${t.user}:${t.group}`, roots.filter((r) => r.kind !== 'state').map((r) => r.target))
  }
}
