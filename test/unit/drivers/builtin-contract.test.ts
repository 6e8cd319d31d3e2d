import {describe, expect, it} from 'vitest'

import {BUILTIN_DRIVERS} from '../../../src/drivers/builtin.js'
import {describeDriverContract} from '../../../src/testing/driver-contract.js'
import {CONTRACT_SETUPS} from './contract-setups.js'

// Every built-in driver runs the same contract suite that plugin authors get from `ocvm/testing`.
describe('built-in drivers', () => {
  it('each has a contract setup', () => {
    expect(BUILTIN_DRIVERS.map((d) => d.name).filter((name) => !CONTRACT_SETUPS[name])).toEqual([])
  })
})

for (const driver of BUILTIN_DRIVERS) {
  const setup = CONTRACT_SETUPS[driver.name]
  if (setup) describeDriverContract(driver, setup)
}
