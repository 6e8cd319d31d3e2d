// The public API for plugin authors: `import {defineDriver, ...} from 'ocvm'`. Everything a driver or
// hook plugin may rely on is exported here (or from `ocvm/testing`); the rest of ocvm is private.
export {defineDriver, DRIVER_API_VERSION, isImageDriver} from './drivers/api.js'
export type {
  CpuArch, DiskFormat, Driver, DriverCapabilities, ExportedFile, ExportSet, GuestOs, ImageDriver, ImageDriverVerbs,
  ImportRequest, LiveRequest, ProbeResult, StopOptions, VmDisk, VmInfo, VmState, VmSummary,
} from './drivers/api.js'
export {defineHook, HOOK_API_VERSION, NEXT_STEP_KEYS} from './postmigrate/api.js'
export type {Hook, HookCheck, HookContext, HookOutcome, NextStepKey, TargetOs} from './postmigrate/api.js'
export type {HookReport, HookRunResult, HookStatus} from './postmigrate/engine.js'
export {DRIVERS_EVENT, HOOKS_EVENT} from './plugins/events.js'
export type {DriversEventHandler, HooksEventHandler, OcvmEvents, PluginEventOptions} from './plugins/events.js'
// Deprecated aliases of the three above (their old names called oclif events "hooks").
export type {DriversHook, OcvmHooks, PostMigrateHooksHook} from './plugins/events.js'
export type {Context} from './context.js'
export type {Shell, ShellPool, ShellRunOptions} from './hosts/shell.js'
export type {GuestShell} from './postmigrate/api.js'
export type {HostSpec} from './hosts/host-spec.js'
export {formatHostSpec, parseHostSpec} from './hosts/host-spec.js'
export type {Runner, RunOptions, RunResult} from './exec/runner.js'
export type {Reporter} from './output/reporter.js'
// The closed set of user-facing errors (OcvmError and its classes: VmNotFoundError, VmExistsError,
// VmStateError, UnexpectedOutputError, HypervisorUnavailableError, ...): plugins throw these.
export * from './errors.js'
