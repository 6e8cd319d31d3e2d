import {describe, expect, it} from 'vitest'

import {targetVolumeName} from '../../../src/drivers/libvirt/index.js'
import {defaultTargetUri} from '../../../src/drivers/libvirt/live.js'
import {parseLibvirtOptions} from '../../../src/drivers/libvirt/options.js'
import * as v from '../../../src/drivers/libvirt/virsh.js'
import {UsageError} from '../../../src/errors.js'

describe('virsh argv', () => {
  it('puts names after their option, so a leading "-" stays a name', () => {
    expect(v.dominfo('qemu:///system', '-x')).toEqual(['virsh', '-c', 'qemu:///system', 'dominfo', '--domain', '-x'])
    expect(v.volInfo('qemu:///system', 'p', '--v')).toEqual(['virsh', '-c', 'qemu:///system', 'vol-info', '--pool', 'p', '--vol', '--v', '--bytes'])
  })

  it('creates sparse volumes of the virtual size in the image format, uploads sparse', () => {
    expect(v.volCreateAs('u:///', 'ocvm', 'd.qcow2', 1_073_741_824, 'qcow2')).toEqual(['virsh', '-c', 'u:///', 'vol-create-as', '--pool', 'ocvm', '--name', 'd.qcow2', '--capacity', '1073741824', '--allocation', '0', '--format', 'qcow2'])
    expect(v.volUpload('u:///', 'ocvm', 'd.qcow2', '/stage/disks/vda.qcow2')).toEqual(['virsh', '-c', 'u:///', 'vol-upload', '--pool', 'ocvm', '--vol', 'd.qcow2', '--file', '/stage/disks/vda.qcow2', '--sparse'])
  })

  it('live migration: copy storage, persist on the target, undefine on the source', () => {
    expect(v.migrateLive({uri: 'qemu:///system', name: 'vm', targetUri: 'qemu+ssh://root@h/system', migrateUri: 'tcp://h', xmlFile: '/tmp/x', persistentXmlFile: '/tmp/p'})).toEqual([
      'virsh', '-c', 'qemu:///system', 'migrate', '--live', '--copy-storage-all', '--persistent', '--undefinesource', '--domain', 'vm', '--desturi', 'qemu+ssh://root@h/system',
      '--migrateuri', 'tcp://h', '--disks-uri', 'tcp://h', '--xml', '/tmp/x', '--persistent-xml', '/tmp/p',
    ])
    expect(defaultTargetUri({kind: 'ssh', host: '10.0.0.3', user: 'root', port: 2222})).toBe('qemu+ssh://root@10.0.0.3:2222/system')
    expect(defaultTargetUri({kind: 'ssh', host: '::1'})).toBe('qemu+ssh://[::1]/system')
  })

  it('qemu-img info reads the whole chain as JSON, even of an image in use', () => {
    expect(v.qemuImgInfo('-odd name')).toEqual(['qemu-img', 'info', '--output=json', '--backing-chain', '-U', '--', '-odd name'])
  })

  it('quotes words for virsh\'s own command syntax (agent payloads go over stdin)', () => {
    expect(v.virshWord('a "b" \\c')).toBe('"a \\"b\\" \\\\c"')
    expect(v.agentCommandLine("it's", '{"a":1}')).toBe(`qemu-agent-command --domain "it's" "{\\"a\\":1}"`)
  })
})

describe('target volume names', () => {
  it('keeps the source file name unless renamed; a rename gets <name>-<dev>.<fmt>', () => {
    expect(targetVolumeName('/var/lib/libvirt/images/web.qcow2', 'web', 'web', 'vda', 'qcow2')).toBe('web.qcow2')
    expect(targetVolumeName('/var/lib/libvirt/images/web.qcow2', 'web', 'web2', 'vda', 'qcow2')).toBe('web2-vda.qcow2')
    expect(targetVolumeName("/i/it's.qcow2", 'x', 'x', 'vda', 'qcow2')).toBe('x-vda.qcow2')
    expect(targetVolumeName('', 'x', `--$(rm) me`, 'vdb', 'raw')).toBe('rm__me-vdb.raw')
  })
})

describe('libvirt options', () => {
  it('defaults and parses --network-map', () => {
    expect(parseLibvirtOptions({})).toEqual({connect: 'qemu:///system', targetPool: 'default', newMac: false})
    expect(parseLibvirtOptions({networkMap: 'default=lan,br0=br1'}).networkMap).toEqual({default: 'lan', br0: 'br1'})
  })

  it('rejects bad values with a usage error', () => {
    expect(() => parseLibvirtOptions({networkMap: 'nope'})).toThrow(UsageError)
    expect(() => parseLibvirtOptions({connect: '-oProxyCommand=x'})).toThrow(/libvirt URI/)
    expect(() => parseLibvirtOptions({migrateUri: 'tcp://h/x'})).toThrow(UsageError)
  })
})
