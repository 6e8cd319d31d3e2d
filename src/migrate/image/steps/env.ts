import type {Context} from '../../../context.js'
import type {ImageDriver, RegistryCredentials, RegistryTransport} from '../../../drivers/api.js'
import {OcvmError} from '../../../errors.js'
import type {HostSpec} from '../../../hosts/host-spec.js'
import type {Shell} from '../../../hosts/shell.js'
import type {Journal} from '../../../pipeline/journal.js'
import type {SecretValues} from '../../../postmigrate/secrets-input.js'
import type {GuestHooksEnv} from '../guest-hooks.js'
import type {ImageMigrationState} from '../types.js'

/** What every step of a VM move works with: its journal, the driver and both ends. */
export interface ImageStepEnv {
  journal: Journal<ImageMigrationState>
  driver: ImageDriver
  ctx: Context
  source: Shell
  target: Shell
  sourceHost: HostSpec
  targetHost: HostSpec
  /** The VM's name on the target. */
  name: string
  inputs: GuestHooksEnv['inputs']
}

export function viaRegistry(driver: ImageDriver, state: ImageMigrationState): {transport: RegistryTransport; ref: string} {
  const transport = driver.registryTransport
  if (!transport || !state.registry) throw new OcvmError('journal-incomplete', 'this run has no registry to move the VM through', {hint: 'The run journal is damaged: start a new migration.'})
  return {transport, ref: state.registry}
}

/**
 * Registry credentials from the secrets input (GITHUB_USERNAME/GITHUB_TOKEN, or GHCR_*), as lume
 * reads them; without them the tool uses what its own host's environment has.
 */
export function registryCredentials(secrets: SecretValues | undefined): RegistryCredentials | undefined {
  for (const prefix of ['GITHUB', 'GHCR']) {
    const username = secrets?.get(`${prefix}_USERNAME`)
    const token = secrets?.get(`${prefix}_TOKEN`)
    if (username && token) return {username, token}
  }
  return undefined
}

export function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}

export function required<T>(value: T | undefined, step: string): T {
  if (value === undefined) throw new OcvmError('journal-incomplete', `the journal has no record of the ${step} step`, {hint: 'The run journal is damaged: start a new migration.'})
  return value
}
