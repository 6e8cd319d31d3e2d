import {activateRoot} from '../../../deployment/commit.js'
import type {StepAction} from '../../../pipeline/runner.js'
import type {StateStepEnv} from './env.js'

/** The commit point: each verified staging dir is renamed into place, one root at a time. */
export function commitStep({journal, target}: StateStepEnv): StepAction {
  return async () => {
    const roots = journal.data.roots.map((r) => ({...r}))
    for (const root of roots) {
      if (root.activated) continue
      // Journaled before the rename: a resumed run then knows a missing staging dir next to a
      // present target is this run's own, already activated.
      const again = root.activating === true
      root.activating = true
      journal.update({roots})
      await activateRoot(target, root, {force: journal.data.options.force, runId: journal.runId, again})
      root.activated = true
      journal.update({roots, committed: true})
    }
  }
}
