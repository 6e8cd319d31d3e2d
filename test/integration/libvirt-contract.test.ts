// The driver contract kit (src/testing, what plugin authors run as `ocvm/testing`) for the built-in
// libvirt driver, against the real libvirtd of test host ocvm-src: it has no fake, so its contract
// (the static and probe checks, and the image checks in a world) runs here instead of in the unit
// project (see test/unit/drivers/contract-setups.ts).
import {execFileSync} from 'node:child_process'
import path from 'node:path'
import {afterAll, beforeAll} from 'vitest'

import {libvirtDriver} from '../../src/drivers/libvirt/index.js'
import {createRunner} from '../../src/exec/runner.js'
import {ShellPool} from '../../src/hosts/shell.js'
import {silentReporter} from '../../src/output/reporter.js'
import {describeDriverContract} from '../../src/testing/index.js'
import {infra, REPO_ROOT, resetHosts, run, sshCheck, SRC} from '../infra/hosts.js'

const VIRSH = 'timeout 60 virsh -c qemu:///system'
const STAGING = '/var/tmp/ocvm-contract-staging'

async function defineDomain(name: string): Promise<void> {
  await sshCheck(SRC, `${VIRSH} vol-create-as --pool default --name ${name}.qcow2 --capacity 64M --allocation 0 --format qcow2 >/dev/null`)
  const xml = `<domain type='qemu'><name>${name}</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
<os><type arch='x86_64' machine='pc'>hvm</type><kernel>/var/lib/libvirt/boot/vmlinuz</kernel><initrd>/var/lib/libvirt/boot/initrd.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
<features><acpi/></features><on_poweroff>destroy</on_poweroff>
<devices><disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='default' volume='${name}.qcow2'/><target dev='vda' bus='virtio'/></disk>
<serial type='file'><source path='/var/log/libvirt/qemu/${name}-console.log'/><target port='0'/></serial></devices></domain>`
  await sshCheck(SRC, `cat > /var/lib/libvirt/${name}.xml && ${VIRSH} define --file /var/lib/libvirt/${name}.xml >/dev/null`, {input: xml})
}

beforeAll(async () => {
  await resetHosts()
  const up = await run('bash', [path.join(REPO_ROOT, 'test/infra/libvirt.sh'), 'up'], {timeoutMs: 240_000})
  if (up.exitCode !== 0) throw new Error(`libvirt.sh up failed:\n${up.stderr}`)
  await defineDomain('contract-run')
  await defineDomain('contract-off')
  await sshCheck(SRC, `${VIRSH} start --domain contract-run >/dev/null`)
})

afterAll(async () => {
  await run('bash', [path.join(REPO_ROOT, 'test/infra/libvirt.sh'), 'down'], {timeoutMs: 120_000})
  await run('rm', ['-rf', STAGING])
})

describeDriverContract(libvirtDriver, {
  async world() {
    const runner = createRunner()
    const shells = new ShellPool({runner, ssh: {configFile: infra().sshConfig}})
    return {
      host: {kind: 'ssh', host: '10.250.0.2', user: 'root'},
      ctx: {runner, shells, reporter: silentReporter},
      vms: {running: 'contract-run', stopped: 'contract-off'},
      // Domains, their states, the pool's volumes and the disk images' bytes.
      observe: async () =>
        sshCheck(SRC, `${VIRSH} list --all --name; for d in $(${VIRSH} list --all --name); do ${VIRSH} domstate --domain "$d"; done; ${VIRSH} vol-list --pool default; cd /var/lib/libvirt/images && sha256sum -- *`),
      // The hosts share /var/tmp: the export's files, copied sparse, are "on" the host.
      async stage(exportSet) {
        execFileSync('rm', ['-rf', STAGING])
        for (const f of exportSet.files) {
          const from = path.join(infra().root, 'hosts', SRC, 'libvirt/lib/images', path.posix.relative('/var/lib/libvirt/images', f.source))
          execFileSync('mkdir', ['-p', path.dirname(path.join(STAGING, f.relPath))])
          execFileSync('cp', ['--sparse=always', from, path.join(STAGING, f.relPath)])
        }
        return STAGING
      },
      cleanup: () => shells.closeAll(),
    }
  },
})
