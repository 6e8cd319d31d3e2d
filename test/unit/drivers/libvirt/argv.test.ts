import {describe, expect, it} from 'vitest'

import {backingVolumeName, type ExportMeta, uniqueVolumes} from '../../../../src/drivers/libvirt/export.js'
import {targetVolumeName} from '../../../../src/drivers/libvirt/index.js'
import {defaultTargetUri} from '../../../../src/drivers/libvirt/live.js'
import {isLocalUri, parseLibvirtOptions, targetLocalUri} from '../../../../src/drivers/libvirt/options.js'
import {vmDriverOptions} from '../../../../src/flags/vm.js'
import * as v from '../../../../src/drivers/libvirt/virsh.js'
import {UsageError} from '../../../../src/errors.js'

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

  it('flattens a chain into one image of the same format, options before the files', () => {
    expect(v.qemuImgFlatten('/i/-top.qcow2', 'qcow2', '/var/tmp/ocvm-flatten.x/disks/vda/-top.qcow2')).toEqual(['qemu-img', 'convert', '-f', 'qcow2', '-O', 'qcow2', '--', '/i/-top.qcow2', '/var/tmp/ocvm-flatten.x/disks/vda/-top.qcow2'])
  })

  it('relinks an overlay to its layer\'s new path, header only, formats named', () => {
    expect(v.qemuImgRebase('/p/top.qcow2', 'qcow2', '/p/base.raw', 'raw')).toEqual(['qemu-img', 'rebase', '-u', '-f', 'qcow2', '-b', '/p/base.raw', '-F', 'raw', '--', '/p/top.qcow2'])
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

describe('backing volume names', () => {
  it('keeps a layer\'s file name unless renamed; a rename gets <name>-base<k>.<fmt>', () => {
    expect(backingVolumeName('/var/lib/libvirt/images/base.qcow2', 'web', 'web', 0, 'qcow2')).toBe('base.qcow2')
    expect(backingVolumeName('/var/lib/libvirt/images/base.qcow2', 'web', 'web2', 1, 'raw')).toBe('web2-base1.raw')
    expect(backingVolumeName('/i/a b.qcow2', 'web', 'web', 0, 'qcow2')).toBe('web-base0.qcow2')
  })

  it('gives clashing volume names (equal file names in two dirs) a generated name', () => {
    const image = (relPath: string, volume: string) => ({relPath, format: 'qcow2' as const, virtualBytes: 1, volume})
    const meta: Pick<ExportMeta, 'disks' | 'backingImages'> = {
      disks: [{...image('disks/vda/os.qcow2', 'os.qcow2'), target: 'vda'}, {...image('disks/vdb/os.qcow2', 'os.qcow2'), target: 'vdb'}],
      backingImages: [image('backing/0/os.qcow2', 'os.qcow2'), image('backing/1/base.qcow2', 'base.qcow2')],
    }
    uniqueVolumes(meta, 'web')
    expect([...meta.disks, ...meta.backingImages].map((i) => i.volume)).toEqual(['os.qcow2', 'web-vdb.qcow2', 'web-base0.qcow2', 'base.qcow2'])
  })
})

describe('libvirt options', () => {
  it('tells a URI served on the host itself from a remote one', () => {
    expect(isLocalUri('qemu:///system')).toBe(true)
    expect(isLocalUri('qemu+unix:///system?socket=/run/x')).toBe(true)
    expect(isLocalUri('qemu+ssh://root@h/system')).toBe(false)
    expect(targetLocalUri(undefined)).toBe('qemu:///system')
    expect(targetLocalUri('qemu:///session')).toBe('qemu:///session')
    expect(targetLocalUri('qemu+ssh://root@h/system', 'qemu:///x')).toBe('qemu:///x')
  })

  it('VM flags become driver options (false and absent flags are left out)', () => {
    expect(vmDriverOptions({connect: 'qemu:///system', 'target-pool': 'fast', 'network-map': ['a=b'], 'new-mac': false, flatten: true, 'driver-opt': ['storage=/x']})).toEqual({
      storage: '/x', connect: 'qemu:///system', targetPool: 'fast', networkMap: ['a=b'], flatten: true,
    })
    expect(() => vmDriverOptions({'driver-opt': ['nokey']})).toThrow(UsageError)
    expect(parseLibvirtOptions({flatten: true}).flatten).toBe(true)
  })

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
