import {execFileSync} from 'node:child_process'
import {readdirSync} from 'node:fs'
import path from 'node:path'

import {parallelsDriver} from '../../../src/drivers/parallels/index.js'
import {describeImageDriverContract} from '../../contract/driver-contract.js'
import {FAKES_DIR, GUEST_IPS, localHosts} from '../../contract/local-hosts.js'
import {stageLocally, writeAt} from '../../contract/stage-local.js'

// The parallels driver against the fake prlctl/prlsrvctl (test/fakes/prlctl) on two local "hosts".
describeImageDriverContract('parallels (fake prlctl 26.1)', async () => {
  const hosts = localHosts((side) => ({OCVM_FAKE_PRL_GUEST_IP: GUEST_IPS[side]}))
  return {
    driver: parallelsDriver,
    source: hosts.source,
    target: hosts.target,
    ctx: hosts.ctx,
    async createVm(name) {
      const env = {...process.env, ...hosts.env.source}
      execFileSync(path.join(FAKES_DIR, 'prlctl'), ['create', name, '-o', 'ubuntu'], {env})
      execFileSync(path.join(FAKES_DIR, 'prlctl'), ['set', name, '--cpus', '3', '--memsize', '3072'], {env})
      const hdd = path.join(hosts.home.source, 'Parallels', `${name}.pvm`, 'harddisk.hdd')
      const hds = readdirSync(hdd).find((f) => f.endsWith('.hds'))!
      writeAt(path.join(hdd, hds), 4096, 'boot sector of the contract VM')
      writeAt(path.join(hdd, hds), 40 * 1024 * 1024, 'openclaw state inside the guest')
    },
    stage: async (set) => stageLocally(set, path.join(hosts.home.target, 'ocvm-staging')),
    guestProbe: {argv: ['sh', '-c', 'printf %s "$OCVM_TEST_GUEST"'], source: /^source$/, target: /^target$/},
    cleanup: async () => hosts.cleanup(),
  }
})
