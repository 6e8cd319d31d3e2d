// `ocvm inspect|export|import --driver libvirt`, --connect/--target-connect, preflight refusals and
// backing chains (moved whole or --flatten'ed) against real libvirt 9 + QEMU (TCG) on the two test
// hosts. One tiny guest (a qcow2 overlay on a qcow2 base, a NIC on a bridge) serves every test, in
// order: inspect it running, export it (shut down gracefully), import it, refuse what must be refused,
// migrate it flattened. The guest's console shows what it reads from its disk on the target.
import {mkdirSync, readdirSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, resetHosts, run, runOcvm, sshCheck, sshExec, SRC} from '../infra/hosts.js'
import {expectedConsoleLine, guestDomainXml, libvirtDown, libvirtUp, lv, MiB, virsh, waitForConsole} from './libvirt-guest.js'

const VIRSH = 'timeout 60 virsh -c qemu:///system'
const IMAGES = '/var/lib/libvirt/images'
const SRC_HOST = 'root@10.250.0.2'
const DST_HOST = 'root@10.250.0.3'
const VM = 'xi-vm'
const MAC = '52:54:00:0c:71:01'
const BASE = 'xi-base.qcow2'
const TOP = 'xi-top.qcow2'
// Shared by the test process and both hosts (only libvirt's dirs and homes are private to a host).
const WORK = `/var/tmp/ocvm-xi-test-${process.pid}`
// The base holds 0xab in its first 4 MiB; the overlay writes 0xcd over the second MiB and 0xef at 100 MiB.
const BASE_DATA: Array<[number, number, number]> = [[0, 4 * MiB, 0xab]]
const TOP_DATA: Array<[number, number, number]> = [[1 * MiB, 1 * MiB, 0xcd], [100 * MiB, 2 * MiB, 0xef]]

const domstate = async (host: string, name: string) => (await sshExec(host, `${VIRSH} domstate --domain ${name} --reason`)).stdout.trim()
const json = (r: {stdout: string}) => JSON.parse(r.stdout)
// Staging and scratch dirs ocvm makes in /var/tmp (the hosts' and ours) and beside the target's
// pool (a migration stages there, where import links): none may stay behind.
const scratchDirs = () => [
  ...readdirSync('/var/tmp').filter((n) => /^ocvm-(import-|flatten\.|staging-)/.test(n)),
  ...readdirSync(lv(DST, 'lib')).filter((n) => n.startsWith('ocvm-staging-')).map((n) => `${DST}:${n}`),
]
let scratchBefore: string[] = []
const stagingLeft = () => scratchDirs().filter((n) => !scratchBefore.includes(n))

const qemuIo = (file: string, data: Array<[number, number, number]>) => `qemu-io -f qcow2 ${data.map(([o, l, b]) => `-c 'write -P 0x${b.toString(16)} ${o} ${l}'`).join(' ')} ${file} >/dev/null`

/** A bridge inside a test host's network namespace (no iptables there, so no libvirt networks). */
const bridge = (host: string, name: string) => sshCheck(host, `ip link del ${name} 2>/dev/null; ip link add ${name} type bridge && ip link set ${name} up`)

describe('libvirt inspect, export/import, --connect, preflight refusals and backing chains', () => {
  beforeAll(async () => {
    await resetHosts()
    rmSync(WORK, {recursive: true, force: true})
    mkdirSync(WORK, {recursive: true})
    scratchBefore = scratchDirs()
    await libvirtUp()
    await bridge(SRC, 'ocvmbr-src')
    await bridge(DST, 'ocvmbr-dst')
    // The chain: a base volume, and an overlay that names it by its absolute path on the source.
    await virsh(SRC, `vol-create-as --pool default --name ${BASE} --capacity 256M --allocation 0 --format qcow2`)
    await sshCheck(SRC, `${qemuIo(`${IMAGES}/${BASE}`, BASE_DATA)} && qemu-img create -q -f qcow2 -b ${IMAGES}/${BASE} -F qcow2 ${IMAGES}/${TOP} && ${qemuIo(`${IMAGES}/${TOP}`, TOP_DATA)}`)
    await virsh(SRC, 'pool-refresh --pool default')
    await sshCheck(SRC, `cat > /var/lib/libvirt/${VM}.xml && ${VIRSH} define --file /var/lib/libvirt/${VM}.xml >/dev/null && ${VIRSH} start --domain ${VM} >/dev/null`, {
      input: guestDomainXml(VM, 'xi-console.log', [
        `<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='${IMAGES}/${TOP}'/><target dev='vda' bus='virtio'/></disk>`,
        `<interface type='bridge'><mac address='${MAC}'/><source bridge='ocvmbr-src'/><model type='virtio'/></interface>`,
      ]),
    })
    await waitForConsole(SRC, 'xi-console.log', 'OCVM-GUEST: ready')
  }, 300_000)

  afterAll(async () => {
    await libvirtDown()
    await sshExec(SRC, 'ip link del ocvmbr-src')
    await sshExec(DST, 'ip link del ocvmbr-dst')
    rmSync(WORK, {recursive: true, force: true})
  })

  it('inspect lists the domains and describes one: disks with format, sizes and backing chain, NIC with its MAC', async () => {
    const list = await runOcvm(['inspect', '--driver', 'libvirt', '--from', SRC_HOST, '--json'])
    expect(list.exitCode, list.stderr).toBe(0)
    expect(json(list)).toMatchObject({driver: 'libvirt', vms: [{name: VM, state: 'running'}]})

    const one = await runOcvm(['inspect', '--driver', 'libvirt', '--from', SRC_HOST, '--vm', VM, '--json'])
    expect(one.exitCode, one.stderr).toBe(0)
    const vm = json(one)
    expect(vm).toMatchObject({name: VM, state: 'running', cpus: 1, memoryMiB: 128, arch: 'x86_64', networks: [{type: 'bridge', source: 'ocvmbr-src', mac: MAC, model: 'virtio'}]})
    expect(vm.disks).toEqual([{target: 'vda', path: `${IMAGES}/${TOP}`, format: 'qcow2', virtualBytes: 256 * MiB, allocatedBytes: expect.any(Number), backingChain: [`${IMAGES}/${BASE}`]}])
    expect(vm.disks[0].allocatedBytes).toBeLessThan(8 * MiB)

    // The same through a non-default URI (the daemon's socket named explicitly): --connect is used.
    const human = await runOcvm(['inspect', '--driver', 'libvirt', '--from', SRC_HOST, '--vm', VM, '--connect', 'qemu+unix:///system?socket=/run/libvirt/libvirt-sock'])
    expect(human.exitCode, human.stderr).toBe(0)
    expect(human.stdout).toContain(`${IMAGES}/${TOP}`)
    expect(human.stdout).toContain(`${IMAGES}/${BASE}`)
    expect(human.stdout).toContain(MAC)
  })

  it('inspect: an unknown domain and an unreachable --connect are clear errors', async () => {
    const unknown = await runOcvm(['inspect', '--driver', 'libvirt', '--from', SRC_HOST, '--vm', 'nosuch', '--json'])
    expect(unknown.exitCode).toBe(1)
    expect(json(unknown).error).toMatchObject({code: 'vm-not-found'})
    expect(json(unknown).error.hint).toContain('list --all')

    const bogus = 'qemu+unix:///system?socket=/run/ocvm-no-such.sock'
    const down = await runOcvm(['inspect', '--driver', 'libvirt', '--from', SRC_HOST, '--vm', VM, '--connect', bogus])
    expect(down.exitCode).toBe(1)
    expect(down.stderr).toContain(bogus)
  })

  it('export shuts the domain down gracefully and writes the chain whole (a sparse tar); --flatten writes one standalone image', async () => {
    const tar = path.join(WORK, 'xi.tar')
    const exported = await runOcvm(['export', '--driver', 'libvirt', '--vm', VM, '--from', SRC_HOST, '--out', tar, '--stop-timeout', '60', '--json'], {timeoutMs: 180_000})
    expect(exported.exitCode, exported.stderr).toBe(0)
    expect(json(exported)).toMatchObject({kind: 'vm-export', status: 'ok', format: 'tar', wasRunning: true, restarted: false})
    expect(json(exported).files.map((f: {relPath: string}) => f.relPath).sort()).toEqual([`backing/0/${BASE}`, `disks/vda/${TOP}`])
    expect(await domstate(SRC, VM)).toBe('shut off (shutdown)')
    expect(statSync(tar).blocks * 512).toBeLessThan(16 * MiB)
    const members = (await run('tar', ['-tf', tar])).stdout.split('\n').filter(Boolean)
    expect(members).toContain('ocvm-vm.json')
    expect(JSON.parse((await run('tar', ['-xOf', tar, 'ocvm-vm.json'])).stdout).exportSet.meta.xml).toContain(`<name>${VM}</name>`)

    const flat = path.join(WORK, 'xi-flat')
    const flattened = await runOcvm(['export', '--driver', 'libvirt', '--vm', VM, '--from', SRC_HOST, '--out', flat, '--flatten', '--json'], {timeoutMs: 180_000})
    expect(flattened.exitCode, flattened.stderr).toBe(0)
    expect(json(flattened).files.map((f: {relPath: string}) => f.relPath)).toEqual([`disks/vda/${TOP}`])
    const info = JSON.parse((await run('qemu-img', ['info', '--output=json', path.join(flat, 'disks/vda', TOP)])).stdout)
    expect(info).toMatchObject({format: 'qcow2', 'virtual-size': 256 * MiB})
    expect(info['backing-filename']).toBeUndefined()
    // The source's chain (resolved on the source, where its base lives) reads exactly like the flat image.
    expect(await sshCheck(SRC, `qemu-img compare -U ${IMAGES}/${TOP} ${flat}/disks/vda/${TOP}`)).toContain('Images are identical')
    expect(stagingLeft()).toEqual([])
  })

  it('import of the chain: verified, both layers become volumes, relinked, network mapped, MAC kept, and it boots reading both layers', async () => {
    const tar = path.join(WORK, 'xi.tar')
    const dry = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, tar, '--network-map', 'ocvmbr-src=ocvmbr-dst', '--dry-run', '--json'])
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(json(dry)).toMatchObject({status: 'planned', name: VM, files: 2})
    expect((await sshExec(DST, `${VIRSH} dominfo --domain ${VM}`)).exitCode).not.toBe(0)

    const imported = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, tar, '--network-map', 'ocvmbr-src=ocvmbr-dst', '--start', '--yes', '--json'], {timeoutMs: 180_000})
    expect(imported.exitCode, imported.stderr).toBe(0)
    expect(json(imported)).toMatchObject({kind: 'vm-import', status: 'ok', name: VM, started: true})
    expect(await virsh(DST, 'vol-list --pool default')).toMatch(new RegExp(`${BASE}[\\s\\S]*${TOP}|${TOP}[\\s\\S]*${BASE}`))
    const chain = JSON.parse(await sshCheck(DST, `qemu-img info -U --backing-chain --output=json ${IMAGES}/${TOP}`))
    expect(chain.map((l: {filename: string}) => l.filename)).toEqual([`${IMAGES}/${TOP}`, `${IMAGES}/${BASE}`])
    // The target's chain reads like the source's (both compared with the flat export, on each side).
    expect(await sshCheck(DST, `qemu-img compare -U ${IMAGES}/${TOP} ${WORK}/xi-flat/disks/vda/${TOP}`)).toContain('Images are identical')
    const xml = await virsh(DST, `dumpxml --domain ${VM}`)
    expect(xml).toContain("<source bridge='ocvmbr-dst'/>")
    expect(xml).toContain(`<mac address='${MAC}'/>`)
    expect(await domstate(DST, VM)).toMatch(/^running/)
    const text = await waitForConsole(DST, 'xi-console.log', 'OCVM-GUEST: ready')
    expect(text).toContain(expectedConsoleLine('vda', [...BASE_DATA, ...TOP_DATA]))
    expect(stagingLeft()).toEqual([])
  })

  it('import refuses a name that exists, a missing pool and an unreachable --target-connect, creating nothing', async () => {
    const tar = path.join(WORK, 'xi.tar')
    const volumes = await virsh(DST, 'vol-list --pool default')
    const again = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, tar, '--yes', '--json'])
    expect(again.exitCode).toBe(1)
    expect(json(again).error.code).toMatch(/exists/)

    const noPool = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, tar, '--target-name', 'xi-other', '--target-pool', 'nosuch', '--yes', '--json'])
    expect(noPool.exitCode).toBe(1)
    expect(json(noPool).error).toMatchObject({code: 'pool-not-found', pool: 'nosuch'})
    expect(json(noPool).error.hint).toContain('pool-list --all')

    const bogus = 'qemu+unix:///system?socket=/run/ocvm-no-such.sock'
    const down = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, tar, '--target-name', 'xi-other', '--target-connect', bogus, '--yes', '--json'])
    expect(down.exitCode).toBe(1)
    expect(json(down).error.message).toContain(bogus)

    expect(await virsh(DST, 'vol-list --pool default')).toBe(volumes)
    expect((await sshExec(DST, `${VIRSH} dominfo --domain xi-other`)).exitCode).not.toBe(0)
    expect(stagingLeft()).toEqual([])
  })

  it('import of the flattened dir under a new name with --new-mac: one standalone volume, defined and not started', async () => {
    const imported = await runOcvm(['import', '--driver', 'libvirt', '--to', DST_HOST, path.join(WORK, 'xi-flat'), '--target-name', 'xi-copy', '--new-mac', '--network-map', 'ocvmbr-src=ocvmbr-dst', '--yes', '--json'], {timeoutMs: 180_000})
    expect(imported.exitCode, imported.stderr).toBe(0)
    expect(json(imported)).toMatchObject({status: 'ok', name: 'xi-copy', started: false})
    expect(await domstate(DST, 'xi-copy')).toMatch(/^shut off/)
    const info = JSON.parse(await sshCheck(DST, `qemu-img info -U --output=json ${IMAGES}/xi-copy-vda.qcow2`))
    expect(info['backing-filename']).toBeUndefined()
    const xml = await virsh(DST, 'dumpxml --domain xi-copy')
    expect(xml).toMatch(/<mac address='52:54:00:[0-9a-f:]+'\/>/)
    expect(xml).not.toContain(MAC)
  })

  it('migrate: a missing pool or an unreachable libvirt is refused in preflight (source untouched); --flatten moves one standalone image', async () => {
    const base = ['migrate', '--driver', 'libvirt', '--vm', VM, '--from', SRC_HOST, '--to', DST_HOST, '--target-name', 'xi-mig', '--yes', '--json']
    await virsh(SRC, `start --domain ${VM}`)
    const noPool = await runOcvm([...base, '--target-pool', 'nosuch'])
    expect(noPool.exitCode).toBe(1)
    // Preflight: no run was journaled, nothing was stopped or staged.
    expect(json(noPool).error).toMatchObject({code: 'pool-not-found', pool: 'nosuch'})
    expect(json(noPool).error.runId).toBeUndefined()
    expect(await domstate(SRC, VM)).toMatch(/^running/)

    const bogus = 'qemu+unix:///system?socket=/run/ocvm-no-such.sock'
    for (const flag of ['--connect', '--target-connect']) {
      const down = await runOcvm([...base, flag, bogus])
      expect(down.exitCode, `${flag}: ${down.stdout}`).toBe(1)
      expect(json(down).error.message, flag).toContain(bogus)
      expect(json(down).error.runId).toBeUndefined()
    }
    expect(await domstate(SRC, VM)).toMatch(/^running/)
    expect((await sshExec(DST, `${VIRSH} dominfo --domain xi-mig`)).exitCode).not.toBe(0)

    // The imported copy on the target writes the same console file: let the migrated one have it.
    await virsh(DST, `destroy --domain ${VM}`)
    rmSync(lv(DST, 'log/qemu', 'xi-console.log'), {force: true})
    const moved = await runOcvm([...base, '--flatten', '--network-map', 'ocvmbr-src=ocvmbr-dst', '--stop-timeout', '60'], {timeoutMs: 300_000})
    expect(moved.exitCode, `${moved.stdout}\n${moved.stderr}`).toBe(0)
    expect(json(moved)).toMatchObject({status: 'ok', mode: 'image', imported: {name: 'xi-mig'}})
    const info = JSON.parse(await sshCheck(DST, `qemu-img info -U --output=json ${IMAGES}/xi-mig-vda.qcow2`))
    expect(info['backing-filename']).toBeUndefined()
    expect(await sshCheck(DST, `qemu-img compare -U ${IMAGES}/xi-mig-vda.qcow2 ${WORK}/xi-flat/disks/vda/${TOP}`)).toContain('Images are identical')
    expect(await domstate(DST, 'xi-mig')).toMatch(/^running/)
    expect(await waitForConsole(DST, 'xi-console.log', 'OCVM-GUEST: ready')).toContain(expectedConsoleLine('vda', [...BASE_DATA, ...TOP_DATA]))
    // The flattened image was staged on the source only for the move.
    expect(stagingLeft()).toEqual([])
    expect(await domstate(SRC, VM)).toBe('shut off (shutdown)')
  })
})
