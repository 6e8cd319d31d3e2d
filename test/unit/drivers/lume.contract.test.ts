import {execFileSync} from 'node:child_process'
import path from 'node:path'

import {lumeDriver} from '../../../src/drivers/lume/index.js'
import {describeImageDriverContract} from '../../contract/driver-contract.js'
import {FAKES_DIR, GUEST_IPS, localHosts} from '../../contract/local-hosts.js'
import {stageLocally, writeAt} from '../../contract/stage-local.js'

// The lume driver against the fake lume (test/fakes/lume) on two local "hosts".
describeImageDriverContract('lume (fake lume 0.5.3)', async () => {
  const hosts = localHosts((side) => ({OCVM_FAKE_LUME_GUEST_IP: GUEST_IPS[side]}))
  return {
    driver: lumeDriver,
    source: hosts.source,
    target: hosts.target,
    ctx: hosts.ctx,
    async createVm(name) {
      execFileSync(path.join(FAKES_DIR, 'lume'), ['create', name, '--os', 'linux', '--cpu', '2', '--memory', '2GB', '--disk-size', '64MB'], {env: {...process.env, ...hosts.env.source}})
      const disk = path.join(hosts.home.source, '.lume', name, 'disk.img')
      writeAt(disk, 4096, 'boot sector of the contract VM')
      writeAt(disk, 40 * 1024 * 1024, 'openclaw state inside the guest')
    },
    stage: async (set) => stageLocally(set, path.join(hosts.home.target, 'ocvm-staging')),
    guestProbe: {argv: ['sh', '-c', 'printf %s "$OCVM_TEST_GUEST"'], source: /^source$/, target: /^target$/},
    cleanup: async () => hosts.cleanup(),
  }
})
