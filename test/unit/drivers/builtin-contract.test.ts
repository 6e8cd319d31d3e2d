import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {BUILTIN_DRIVERS} from '../../../src/drivers/builtin.js'
import {describeDriverContract} from '../../../src/testing/index.js'
import {CONTRACT_ELSEWHERE, CONTRACT_SETUPS} from './contract-setups.js'
import {REPO_ROOT} from '../../helpers/process.js'

// Every built-in driver runs the same contract suite that plugin authors get from `ocvm/testing`
// (src/testing): its world, and for the image drivers with a fake, its two-host harness.
describe('built-in drivers', () => {
  it('each has a contract setup', () => {
    expect(BUILTIN_DRIVERS.map((d) => d.name).filter((name) => !CONTRACT_SETUPS[name] && !CONTRACT_ELSEWHERE[name])).toEqual([])
  })

  it('each image driver with a setup here also gives its two-host harness', () => {
    const image = BUILTIN_DRIVERS.filter((d) => d.capabilities.level === 'image' && CONTRACT_SETUPS[d.name])
    expect(image.map((d) => d.name).filter((name) => !CONTRACT_SETUPS[name]?.harness)).toEqual([])
  })

  it('runs the contract elsewhere only in a test file that really does', () => {
    for (const file of Object.values(CONTRACT_ELSEWHERE)) {
      const full = path.join(REPO_ROOT, file)
      expect(existsSync(full), file).toBe(true)
      expect(readFileSync(full, 'utf8')).toMatch(/describeDriverContract\(/)
    }
  })
})

for (const driver of BUILTIN_DRIVERS) {
  const setup = CONTRACT_SETUPS[driver.name]
  if (setup) describeDriverContract(driver, setup)
}
