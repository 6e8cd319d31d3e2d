import type {ImageDriver, RegistryCredentials, RegistryTransport} from '../../../drivers/api.js'
import type {SecretValues} from '../../../postmigrate/secrets-input.js'
import type {ImageMigrationState} from '../types.js'
import {OcvmError} from '../../../errors.js'
import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'

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

function viaRegistry(driver: ImageDriver, state: ImageMigrationState): {transport: RegistryTransport; ref: string} {
  const transport = driver.registryTransport
  if (!transport || !state.registry) throw new OcvmError('journal-incomplete', 'this run has no registry to move the VM through', {hint: 'The run journal is damaged: start a new migration.'})
  return {transport, ref: state.registry}
}

/**
 * Registry credentials from the secrets input (GITHUB_USERNAME/GITHUB_TOKEN, or GHCR_*), as lume
 * reads them; without them the tool uses what its own host's environment has.
 */
function registryCredentials(secrets: SecretValues | undefined): RegistryCredentials | undefined {
  for (const prefix of ['GITHUB', 'GHCR']) {
    const username = secrets?.get(`${prefix}_USERNAME`)
    const token = secrets?.get(`${prefix}_TOKEN`)
    if (username && token) return {username, token}
  }
  return undefined
}
