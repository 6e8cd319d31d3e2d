import type {Context} from '../context.js'
import {asImageDriver, asStateDriver, type Driver} from '../drivers/api.js'
import {UsageError} from '../errors.js'
import {exportArchive, type ExportOptions, type ExportResult} from './state/export.js'
import {importArchive, type ImportCallbacks, type ImportOptions} from './state/import.js'
import {exportVmArchive, type VmExportOptions, type VmExportResult} from './vm/export-vm.js'
import {importVmArchive, type VmImportCallbacks, type VmImportOptions, type VmImportResult} from './vm/import-vm.js'
import type {MigrationResult} from '../migrate/types.js'

type Common<A, B> = Pick<A, keyof A & keyof B>

/** One export as the command parsed it: what every driver reads, then a state mover's and an image driver's own options. */
export type ExportRequest = Common<ExportOptions, VmExportOptions> & {
  driver: Driver
  state: Omit<ExportOptions, keyof VmExportOptions | 'driver'>
  vm: Omit<VmExportOptions, keyof ExportOptions | 'vm'> & {vm?: string}
}

/** One import as the command parsed it: what every driver reads, then a state mover's and an image driver's own options. */
export type ImportRequest = Common<ImportOptions, VmImportOptions> & {
  driver: Driver
  state: Omit<ImportOptions, keyof VmImportOptions | 'driver' | 'archive'>
  vm: Omit<VmImportOptions, keyof ImportOptions | 'archive'>
}

export type ImportResult = MigrationResult | VmImportResult
export type AnyImportCallbacks = {confirm?: (plan: ImportResult) => Promise<boolean>}

/**
 * The archive service: `ocvm export` for every driver. A state mover (`file`) packs the OpenClaw
 * state into one archive file; an image driver writes the VM's files and manifest.
 */
export async function exportDeployment(request: ExportRequest, ctx: Context): Promise<ExportResult | VmExportResult> {
  const {driver, state, vm, ...common} = request
  if (driver.capabilities.level === 'state') return exportArchive({...common, ...state, driver: asStateDriver(driver)}, ctx)
  if (!vm.vm) throw new UsageError(`--vm is required with --driver ${driver.name}`, `Example: ocvm export --driver ${driver.name} --vm openclaw --from root@kvm1 --out ./openclaw-vm`)
  if (!state.quiesce) throw new UsageError('--no-quiesce cannot export a VM: a running VM\'s disks are not consistent', 'Leave it out: ocvm shuts the VM down for the export (--restart starts it again).')
  return exportVmArchive({...common, ...vm, vm: vm.vm}, asImageDriver(driver), ctx)
}

/** `ocvm import` for every driver: an archive of the state, or a VM export. */
export async function importDeployment(request: ImportRequest, ctx: Context, callbacks: AnyImportCallbacks = {}): Promise<ImportResult> {
  const {driver, state, vm, ...common} = request
  if (driver.capabilities.level === 'state') return importArchive({...common, ...state, driver: asStateDriver(driver)}, ctx, callbacks as ImportCallbacks)
  return importVmArchive({...common, ...vm}, asImageDriver(driver), ctx, callbacks as VmImportCallbacks)
}
