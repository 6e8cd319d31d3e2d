import type {StepAction} from '../../../pipeline/runner.js'
import {registryCredentials, viaRegistry, type ImageStepEnv} from './env.js'

/** Pushes the stopped VM to the image registry. */
export function pushStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, sourceHost, inputs} = env
  const {options} = journal.data
  const vm = options.vm
  return async () => {
    const {transport, ref} = viaRegistry(driver, journal.data)
    await transport.push(sourceHost, vm, ref, ctx, registryCredentials(inputs.secrets))
    return `${vm} pushed to ${ref}`
  }
}

/** Pulls the VM from the registry onto the target. */
export function pullStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, targetHost, name, inputs} = env
  const {options} = journal.data
  return async () => {
    const {transport, ref} = viaRegistry(driver, journal.data)
    const credentials = registryCredentials(inputs.secrets)
    const imported = await transport.pull(targetHost, ref, name, ctx, {options: options.driverOptions, ...(credentials ? {credentials} : {})})
    journal.update({imported})
    return `${imported.name} pulled from ${ref} onto ${target.label}`
  }
}
