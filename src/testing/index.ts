// `ocvm/testing`: test helpers for driver plugin authors. Imports vitest (an optional peer
// dependency of ocvm), so it is a separate entry point that ocvm itself never loads.
export {describeDriverContract, expectOcvmError} from './driver-contract.js'
export type {DriverContractSetup, DriverContractWorld} from './driver-contract.js'
export {createTestContext} from './context.js'
export type {TestContextOptions} from './context.js'
