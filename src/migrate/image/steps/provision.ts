import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'
import {UsageError} from '../../../errors.js'

/** Creates a fresh VM on the target shaped like the source (state mode). */
export function provisionStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, targetHost, name} = env
  return async () => {
    const provision = driver.provisionLike
    if (!provision) throw new UsageError(`the ${driver.name} driver cannot create a VM on the target`, 'Use --mode image.')
    const imported = await provision.call(driver, targetHost, journal.data.source.vm, name, ctx, false)
    journal.update({imported})
    return `${imported.name} created on ${target.label}`
  }
}
