// The public API for plugin authors: `import {defineDriver, ...} from 'ocvm'`.
export {defineDriver, DRIVER_API_VERSION, isImageDriver} from './drivers/api.js'
export type {
  CpuArch, DiskFormat, Driver, DriverCapabilities, ExportedFile, ExportSet, GuestOs, ImageDriver, ImageDriverVerbs,
  ImportRequest, LiveRequest, ProbeResult, StopOptions, VmDisk, VmInfo, VmState, VmSummary,
} from './drivers/api.js'
export {defineHook} from './postmigrate/api.js'
export type {Hook, HookCheck, HookContext, HookOutcome, TargetOs} from './postmigrate/api.js'
export type {Context} from './context.js'
export type {Shell, ShellRunOptions} from './hosts/shell.js'
export type {GuestShell} from './postmigrate/api.js'
export type {HostSpec} from './hosts/host-spec.js'
export type {Runner, RunOptions, RunResult} from './exec/runner.js'
export * from './errors.js'
