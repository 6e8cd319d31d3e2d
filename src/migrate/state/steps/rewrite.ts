import {quarantineSessions} from '../../../deployment/quarantine.js'
import type {StepAction} from '../../../pipeline/runner.js'
import {countRetargeted, retargetHostSpecific, stagedConfigFiles} from '../../../rewrite/retarget-host-specific.js'
import {rewriteStaged} from '../../../rewrite/staged.js'
import type {StateStepEnv} from './env.js'

/** Rewrites old paths in the staged copy, re-detects pinned programs, quarantines poisoned sessions (--sessions scan). */
export function rewriteStep({journal, target}: StateStepEnv): StepAction {
  return async () => {
    const outcome = await rewriteStaged(target, journal.data)
    journal.update({changes: outcome.changes})
    let detail = `${outcome.changes.length} path(s) rewritten in ${new Set(outcome.changes.map((c) => c.file)).size} file(s)`
    const retargeted = await retargetHostSpecific(target, stagedConfigFiles(journal.data), journal.data.target.home, true, outcome.texts)
    journal.update({retargeted})
    if (retargeted.length > 0) detail += `; ${countRetargeted(retargeted)}`
    if (journal.data.options.sessions === 'scan') {
      const state = journal.data.roots.find((r) => r.kind === 'state')
      const quarantined = state ? await quarantineSessions(target, state.staging) : []
      journal.update({quarantined})
      detail += `; ${quarantined.length} poisoned session(s) quarantined`
    }
    return detail
  }
}
