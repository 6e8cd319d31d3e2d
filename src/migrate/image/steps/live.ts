import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'
import {UsageError} from '../../../errors.js'

/** Live-migrates the running VM through the hypervisor. */
export function liveStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, sourceHost, targetHost, name} = env
  const {options} = journal.data
  const vm = options.vm
  return async () => {
    const live = driver.liveMigrate
    if (!live) throw new UsageError(`the ${driver.name} driver cannot live-migrate`, 'Leave out --live.')
    const imported = await live.call(driver, sourceHost, targetHost, vm, ctx, {targetName: name, options: options.driverOptions, dryRun: false})
    journal.update({imported})
    return `${imported.name} runs on ${target.label}`
  }
}
