import {describeDriverContract} from 'ocvm/testing'

import {virtualboxDriver} from '../src/driver.js'
import {fakeVirtualBoxWorld} from './world.js'

// The same suite ocvm's built-in drivers pass, against the fake VBoxManage. No `harness` (the
// opt-in two-host checks): this driver exports an OVA archive, not the sparse disk images that
// the harness's move check compares byte for byte, and the fake has one host.
describeDriverContract(virtualboxDriver, {
  world: () => fakeVirtualBoxWorld(),
  worldWithoutTool: () => fakeVirtualBoxWorld({withTool: false}),
})
