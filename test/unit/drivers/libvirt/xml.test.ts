// Domain XML reading and rewriting, on XML printed by the real `virsh dumpxml --inactive --migratable`.
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {parseDomainXml, rewriteDomainXml, xmlEscape, xmlUnescape} from '../../../../src/drivers/libvirt/domain-xml.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const xml = readFileSync(path.join(REPO_ROOT, 'test/fixtures/libvirt/dumpxml-inactive-migratable.xml'), 'utf8')

describe('domain XML', () => {
  it('reads name, uuid, arch, disks, interfaces and the agent channel', () => {
    const dom = parseDomainXml(xml)
    expect(dom).toMatchObject({name: 'g1', type: 'qemu', arch: 'x86_64', guestAgent: true, importedVolumes: []})
    expect(dom.uuid).toMatch(/^[0-9a-f-]{36}$/)
    expect(dom.disks).toEqual([
      {type: 'volume', device: 'disk', target: 'vda', format: 'qcow2', pool: 'ocvm', volume: 'g1.qcow2'},
      {type: 'file', device: 'disk', target: 'vdb', format: 'raw', file: '/var/lib/libvirt/images/g1-data.raw'},
    ])
    expect(dom.interfaces).toEqual([{type: 'user', mac: '52:54:00:aa:bb:cc', model: 'virtio'}])
  })

  it('points disks at the new paths, keeps everything else byte for byte', () => {
    const out = rewriteDomainXml(xml, {diskPaths: {vda: '/pool/g1.qcow2', vdb: '/pool/g1-data.raw'}})
    const dom = parseDomainXml(out)
    expect(dom.disks.map((d) => [d.type, d.target, d.file])).toEqual([
      ['file', 'vda', '/pool/g1.qcow2'],
      ['file', 'vdb', '/pool/g1-data.raw'],
    ])
    expect(dom.disks[0]!.pool).toBeUndefined()
    // Same UUID and MAC (a move, not a clone), same everything outside the disks.
    expect(dom.uuid).toBe(parseDomainXml(xml).uuid)
    expect(out).toContain("<mac address='52:54:00:aa:bb:cc'/>")
    const strip = (s: string) => s.replace(/<disk[\s\S]*?<\/disk>/g, '')
    expect(strip(out)).toBe(strip(xml))
  })

  it('renames (dropping the UUID so libvirt makes a new one), escapes hostile names and paths', () => {
    const name = `it's <a> "vm" & $(touch /tmp/x)`
    const out = rewriteDomainXml(xml, {name, diskPaths: {vda: "/p/it's & <x>.qcow2"}})
    expect(out).toContain('<name>it&apos;s &lt;a&gt; &quot;vm&quot; &amp; $(touch /tmp/x)</name>')
    expect(out).not.toContain('<uuid>')
    const dom = parseDomainXml(out)
    expect(dom.name).toBe(name)
    expect(dom.disks[0]!.file).toBe("/p/it's & <x>.qcow2")
  })

  it('maps networks and bridges, and drops MACs with newMac', () => {
    const withNet = xml.replace("<interface type='user'>", "<interface type='network'>\n      <source network='default'/>").replace('</devices>', "  <interface type='bridge'>\n      <source bridge='br0'/>\n    </interface>\n  </devices>")
    const out = rewriteDomainXml(withNet, {diskPaths: {}, networkMap: {default: 'lan', br0: 'br1'}, newMac: true})
    expect(parseDomainXml(out).interfaces).toEqual([
      {type: 'network', network: 'lan', model: 'virtio'},
      {type: 'bridge', bridge: 'br1'},
    ])
  })

  it('drops the source\'s recorded backing chain from moved disks (libvirt reads it from the image header there)', () => {
    const chained = xml.replace("<target dev='vda' bus='virtio'/>", "<backingStore type='file'>\n        <format type='qcow2'/>\n        <source file='/var/lib/libvirt/images/base.qcow2'/>\n        <backingStore/>\n      </backingStore>\n      <target dev='vda' bus='virtio'/>")
    expect(chained).toContain('<backingStore')
    const out = rewriteDomainXml(chained, {diskPaths: {vda: '/pool/g1.qcow2'}})
    expect(out).not.toContain('backingStore')
    expect(out).not.toContain('base.qcow2')
    expect(parseDomainXml(out).disks[0]).toMatchObject({type: 'file', target: 'vda', file: '/pool/g1.qcow2', format: 'qcow2'})
    // A disk that does not move keeps its element as it was.
    expect(rewriteDomainXml(chained, {diskPaths: {vdb: '/pool/d.raw'}})).toContain("<source file='/var/lib/libvirt/images/base.qcow2'/>")
  })

  it('reads direct (macvtap) interfaces: the host device is their source', () => {
    const direct = xml.replace("<interface type='user'>", "<interface type='direct'>\n      <source dev='eth0' mode='bridge'/>")
    expect(parseDomainXml(direct).interfaces).toEqual([{type: 'direct', mac: '52:54:00:aa:bb:cc', dev: 'eth0', model: 'virtio'}])
  })

  it('records the volumes it created as ocvm metadata, which parse reads back', () => {
    const out = rewriteDomainXml(xml, {diskPaths: {vda: '/p/a.qcow2'}, importedVolumes: [{pool: 'ocvm', volume: "a'.qcow2"}]})
    expect(parseDomainXml(out).importedVolumes).toEqual([{pool: 'ocvm', volume: "a'.qcow2"}])
    expect(parseDomainXml(xml).importedVolumes).toEqual([])
  })

  it('refuses a disk target that is not in the XML', () => {
    expect(() => rewriteDomainXml(xml, {diskPaths: {vdz: '/x'}})).toThrow(/no disk with target vdz/)
  })

  it('escapes and unescapes entities', () => {
    const s = `a&b<c>'d"e`
    expect(xmlUnescape(xmlEscape(s))).toBe(s)
    expect(xmlUnescape('&#65;&#x42;')).toBe('AB')
  })
})
