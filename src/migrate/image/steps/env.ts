import type {Context} from '../../../context.js'
import type {ImageDriver} from '../../../drivers/api.js'
import {OcvmError} from '../../../errors.js'
import type {HostSpec} from '../../../hosts/host-spec.js'
import type {Shell} from '../../../hosts/shell.js'
import type {Journal} from '../../../pipeline/journal.js'
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

export function required<T>(value: T | undefined, step: string): T {
  if (value === undefined) throw new OcvmError('journal-incomplete', `the journal has no record of the ${step} step`, {hint: 'The run journal is damaged: start a new migration.'})
  return value
}
