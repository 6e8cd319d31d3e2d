import {confirmStopped, describeStop, executeStop, gatewayServices, planStop, queryServices, settleStop, startGateway} from '../../../deployment/gateway-control.js'
import {probeHost} from '../../../deployment/host-facts.js'
import {setStep, type StepAction} from '../../../pipeline/runner.js'
import type {MigrationState, StepName} from '../../types.js'
import type {StateStepEnv} from './env.js'
import type {Shell} from '../../../hosts/shell.js'

/**
 * The cutover on the source: stops the gateway and disables its service (no reboot, `Restart=` or
 * `KeepAlive` brings it back next to the moved one), then proves it is down before anything is
 * copied. No live SQLite is ever copied.
 */
export function quiesceStep({journal, source}: StateStepEnv): StepAction {
  return async () => {
    // Planned and journaled before anything stops, so a run killed mid-stop knows what to put back
    // on --rollback; a resumed run keeps that plan (the processes it found may be stopped already).
    let stop = journal.data.stop
    const {user, services} = journal.data.source
    if (!stop) {
      const facts = await probeHost(source, user)
      stop = planStop(user, await queryServices(source, gatewayServices(user, services, facts, journal.data.options.profile)), facts)
      journal.update({stop})
    }
    await executeStop(source, stop, true)
    await confirmSourceDown(source, journal.data)
    // The downtime starts here (a gateway that was not running has none to measure).
    if (!journal.data.stoppedAt && stop.kind !== 'none') journal.update({stoppedAt: new Date().toISOString()})
    return `source gateway ${describeStop(stop)}`
  }
}

/** The source gateway is down now: checked after the stop, and again before the target's gateway starts. */
export function confirmSourceDown(source: Shell, state: MigrationState): Promise<void> {
  return confirmStopped(source, state.stop ?? {kind: 'none'}, state.source.user, state.source.port ?? 18_789)
}

/**
 * A run cancelled before the commit point gives the source back: its gateway put back as it was
 * (re-enabled, started). The stop is forgotten, so a resumed run plans and proves it again.
 */
export async function putSourceBack({journal, source}: StateStepEnv): Promise<string> {
  const {stop} = journal.data
  // An import's source is an archive: there is no gateway to put back.
  if (journal.data.archive) return ''
  if (!stop || stop.kind === 'none') return 'the source gateway had not been stopped'
  const running = await settleStop(source, stop, journal.data.source.user)
  const started = await startGateway(source, stop, journal.data.source.stateDir, running)
  journal.update({stop: undefined, stoppedAt: undefined})
  setStep<StepName, MigrationState>(journal, 'quiesce', {status: 'pending'})
  return `source gateway: ${started}`
}
