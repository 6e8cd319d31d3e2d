import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'


/** Starts the VM on the target. */
export function startStep(env: ImageStepEnv): StepAction {
  const {driver, ctx, targetHost, name} = env
  return async () => {
    await driver.start(targetHost, name, ctx)
    return `${name} started`
  }
}
