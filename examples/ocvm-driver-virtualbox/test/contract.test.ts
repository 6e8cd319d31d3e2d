import {describeDriverContract} from 'ocvm/testing'

import {virtualboxDriver} from '../src/driver.js'
import {fakeVirtualBoxWorld} from './world.js'

// The same suite ocvm's built-in drivers pass, against the fake VBoxManage.
describeDriverContract(virtualboxDriver, {
  world: () => fakeVirtualBoxWorld(),
  worldWithoutTool: () => fakeVirtualBoxWorld({withTool: false}),
})
