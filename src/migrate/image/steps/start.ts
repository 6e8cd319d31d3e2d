import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'


/** Starts the VM on the target; it starts at boot there when it did on the source. */
export function startStep(env: ImageStepEnv): StepAction {
  const {driver, ctx, targetHost, name, journal} = env
  return async () => {
    await driver.start(targetHost, name, ctx)
    if (!journal.data.source.autostart || !driver.autostart) return `${name} started`
    await driver.autostart(targetHost, name, ctx, true)
    return `${name} started, and set to start at boot (as it did on the source)`
  }
}
