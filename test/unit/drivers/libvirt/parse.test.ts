// Parsers of the libvirt driver, against output captured from the real virsh 9.0 / qemu-img 7.2
// (test/fixtures/libvirt/, captured by running the commands on the test hosts' libvirtd).
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {fileBackedPool, poolTargetPath} from '../../../../src/drivers/libvirt/domain.js'
import {OcvmError} from '../../../../src/errors.js'
import {isNotFound, parseDomblklist, parseDominfo, parseDomifaddr, parseDomstate, parseNames, parsePoolState, parseQemuImgInfo, parseVolInfo} from '../../../../src/drivers/libvirt/parse.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/fixtures/libvirt', name), 'utf8')

function drift(fn: () => unknown): OcvmError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(OcvmError)
    return error as OcvmError
  }
  throw new Error('did not throw')
}

describe('libvirt parsers (real virsh 9 output)', () => {
  it('dominfo of a shut-off and a running domain', () => {
    const off = parseDominfo(fixture('dominfo-shutoff.txt'))
    expect(off).toMatchObject({name: 'g1', state: 'stopped', osType: 'hvm', cpus: 1, maxMemoryKiB: 131_072, persistent: true})
    expect(off.uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(parseDominfo(fixture('dominfo-running.txt')).state).toBe('running')
    expect(parseDominfo(fixture('dominfo-running.txt')).autostart).toBe(false)
    expect(parseDominfo(fixture('dominfo-running.txt').replace(/^Autostart:.*$/m, 'Autostart:      enable')).autostart).toBe(true)
  })

  it('domstate --reason', () => {
    expect(parseDomstate(fixture('domstate-shutoff.txt'))).toEqual({state: 'stopped', raw: 'shut off', reason: 'unknown'})
    expect(parseDomstate(fixture('domstate-running.txt'))).toEqual({state: 'running', raw: 'running', reason: 'booted'})
    expect(parseDomstate(fixture('domstate-shutdown.txt'))).toEqual({state: 'stopped', raw: 'shut off', reason: 'shutdown'})
    expect(parseDomstate('paused (user)\n\n')).toEqual({state: 'paused', raw: 'paused', reason: 'user'})
    expect(drift(() => parseDomstate('error: boom')).code).toBe('unexpected-output')
  })

  it('list --name (one name per line, trailing blank line)', () => {
    expect(parseNames(fixture('list-names-all.txt'))).toEqual(['g1'])
    expect(parseNames('a b\nit\'s "x"\n\n')).toEqual(['a b', 'it\'s "x"'])
  })

  it('domblklist --details: volume disks name the volume, file disks the path', () => {
    expect(parseDomblklist(fixture('domblklist-details.txt'))).toEqual([
      {type: 'volume', device: 'disk', target: 'vda', source: 'g1.qcow2'},
      {type: 'file', device: 'disk', target: 'vdb', source: '/var/lib/libvirt/images/g1-data.raw'},
    ])
    const withSpaces = ' Type   Device   Target   Source\n----------------\n file   disk     vda      /images/my disk.qcow2\n file   cdrom    sda      -\n\n'
    expect(parseDomblklist(withSpaces)).toEqual([
      {type: 'file', device: 'disk', target: 'vda', source: '/images/my disk.qcow2'},
      {type: 'file', device: 'cdrom', target: 'sda'},
    ])
    expect(drift(() => parseDomblklist('no table here')).message).toMatch(/virsh domblklist/)
  })

  it('domifaddr: agent addresses, empty table', () => {
    // The tiny guest has only lo, which its agent reports without addresses.
    expect(parseDomifaddr(fixture('domifaddr-agent.txt'))).toEqual([])
    expect(parseDomifaddr(fixture('domifaddr-lease-empty.txt'))).toEqual([])
    const table = fixture('domifaddr-lease-empty.txt').trimEnd()
    const rows = `${table}\n vnet0      52:54:00:aa:bb:cc    ipv4         192.168.122.3/24\n -          -                    ipv6         fe80::1/64\n\n`
    expect(parseDomifaddr(rows)).toEqual([
      {iface: 'vnet0', mac: '52:54:00:aa:bb:cc', protocol: 'ipv4', address: '192.168.122.3', prefix: 24},
      {iface: 'vnet0', mac: '52:54:00:aa:bb:cc', protocol: 'ipv6', address: 'fe80::1', prefix: 64},
    ])
  })

  it('qemu-img info: qcow2 (virtual vs allocated), raw, and a backing chain', () => {
    const qcow2 = parseQemuImgInfo(fixture('qemu-img-info-qcow2.json'))
    expect(qcow2).toMatchObject({format: 'qcow2', virtualBytes: 1_073_741_824, backingChain: []})
    expect(qcow2.allocatedBytes).toBeGreaterThan(12 * 1024 * 1024)
    expect(qcow2.allocatedBytes).toBeLessThan(20 * 1024 * 1024)
    expect(parseQemuImgInfo(fixture('qemu-img-info-raw.json'))).toMatchObject({format: 'raw', virtualBytes: 67_108_864, backingChain: []})
    expect(parseQemuImgInfo(fixture('qemu-img-info-chain.json')).backingChain).toEqual(['/var/lib/libvirt/images/g1.qcow2'])
    // Each layer with its own format and size: moving a chain recreates every layer as a volume.
    expect(parseQemuImgInfo(fixture('qemu-img-info-chain.json')).backing).toEqual([{file: '/var/lib/libvirt/images/g1.qcow2', format: 'qcow2', virtualBytes: 1_073_741_824, allocatedBytes: 12_914_688}])
    expect(parseQemuImgInfo(fixture('qemu-img-info-qcow2.json')).backing).toEqual([])
    expect(drift(() => parseQemuImgInfo('[{"format": "qcow2"}]')).message).toMatch(/qemu-img info.*virtual-size/)
    expect(drift(() => parseQemuImgInfo('[{"filename":"x","format":"vdi","virtual-size":1}]')).code).toBe('unsupported')
  })

  it('vol-info --bytes and pool-info', () => {
    expect(parseVolInfo(fixture('vol-info-bytes.txt'))).toEqual({capacityBytes: 1_073_741_824, allocationBytes: expect.any(Number)})
    expect(parsePoolState(fixture('pool-info.txt'))).toBe('running')
  })

  it('recognises virsh "not found" errors', () => {
    for (const f of ['dominfo-missing.stderr', 'pool-info-missing.stderr', 'vol-info-missing.stderr']) expect(isNotFound(fixture(f))).toBe(true)
    expect(isNotFound('error: failed to connect to the hypervisor')).toBe(false)
  })
})

describe('pool-dumpxml', () => {
  it('tells a pool of files and its dir (captured from the default dir pool)', () => {
    const xml = fixture('pool-dumpxml-dir.xml')
    expect(fileBackedPool(xml)).toBe(true)
    expect(poolTargetPath(xml)).toBe('/var/lib/libvirt/images')
  })

  it('unescapes the dir, and has none for a pool without a target path', () => {
    expect(poolTargetPath("<pool type='dir'>\n  <target>\n    <path>/srv/vm &amp; images</path>\n  </target>\n</pool>")).toBe('/srv/vm & images')
    expect(fileBackedPool("<pool type='rbd'>\n  <source>\n  </source>\n</pool>")).toBe(false)
    expect(poolTargetPath("<pool type='rbd'>\n  <source>\n  </source>\n</pool>")).toBeUndefined()
  })
})
