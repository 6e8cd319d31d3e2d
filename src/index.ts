// The public API for plugin authors: `import {defineDriver, ...} from 'ocvm'`.
export {defineDriver, DRIVER_API_VERSION} from './drivers/api.js'
export type {Driver, DriverCapabilities, DiskFormat, ProbeResult} from './drivers/api.js'
export type {Context} from './context.js'
export type {Shell, ShellRunOptions} from './hosts/shell.js'
export type {GuestShell} from './postmigrate/api.js'
export type {HostSpec} from './hosts/host-spec.js'
export type {Runner, RunOptions, RunResult} from './exec/runner.js'
export * from './errors.js'
