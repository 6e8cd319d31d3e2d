// `ocvm/testing`: the driver contract kit, for ocvm's built-in drivers and for plugin authors. Imports
// vitest (an optional peer dependency of ocvm), so it is a separate entry point that ocvm itself never loads.
export {describeDriverContract} from './driver-contract.js'
export type {DriverContractHarness, DriverContractSetup, DriverContractWorld} from './setup.js'
export {expectOcvmError} from './expect-error.js'
export {createTestContext} from './context.js'
export type {TestContextOptions} from './context.js'
