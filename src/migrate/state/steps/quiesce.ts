import {describeStop, executeStop, planStop} from '../../../deployment/gateway-control.js'
import {probeHost} from '../../../deployment/host-facts.js'
import type {StepAction} from '../../../pipeline/runner.js'
import type {StateStepEnv} from './env.js'

/** Stops the source gateway (no live SQLite is ever copied). */
export function quiesceStep({journal, source}: StateStepEnv): StepAction {
  return async () => {
    // Planned and journaled before anything stops, so a run killed mid-stop knows what to start on
    // --rollback; a resumed run keeps that plan (the processes it found may be stopped already).
    let stop = journal.data.stop
    if (!stop) {
      const facts = await probeHost(source, undefined)
      stop = planStop(journal.data.source.user, journal.data.source.services, facts)
      journal.update({stop})
    }
    await executeStop(source, stop)
    return `source gateway ${describeStop(stop)}`
  }
}
