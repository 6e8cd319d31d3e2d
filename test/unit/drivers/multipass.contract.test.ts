import {execFileSync} from 'node:child_process'
import path from 'node:path'

import {multipassDriver} from '../../../src/drivers/multipass/index.js'
import {describeImageDriverContract} from '../../contract/driver-contract.js'
import {FAKES_DIR, GUEST_IPS, localHosts} from '../../contract/local-hosts.js'

// The multipass driver against the fake multipass (test/fakes/multipass) on two local "hosts". The
// fake's `exec` runs commands on its own host, so each side's environment marks its "guest".
describeImageDriverContract('multipass (fake multipass 1.16.3)', async () => {
  const hosts = localHosts((side) => ({OCVM_FAKE_MULTIPASS_GUEST_IP: GUEST_IPS[side], OCVM_TEST_GUEST: side}))
  return {
    driver: multipassDriver,
    source: hosts.source,
    target: hosts.target,
    ctx: hosts.ctx,
    async createVm(name) {
      const env = {...process.env, ...hosts.env.source}
      execFileSync(path.join(FAKES_DIR, 'multipass'), ['launch', '22.04', '--name', name, '--cpus', '2', '--memory', '2G', '--disk', '8G'], {env})
      execFileSync(path.join(FAKES_DIR, 'multipass'), ['stop', name], {env})
    },
    stage: async () => {
      throw new Error('multipass has no export: nothing to stage')
    },
    guestProbe: {argv: ['sh', '-c', 'printf %s "$OCVM_TEST_GUEST"'], source: /^source$/, target: /^target$/},
    cleanup: async () => hosts.cleanup(),
  }
})
