import {describe, expect, it} from 'vitest'

import {OcvmError} from 'ocvm'

import {attachedDisks, guestOs, parseMachineReadable, parseMediumSizes, parseVersion, parseVmList, vmState} from '../src/parse.js'

describe('VBoxManage output parsers', () => {
  it('list vms', () => {
    expect(parseVmList('"UCS 4.1" {acef4c0a-35be-4640-a214-be135417f04d}\n"gw" {1b9e6a52-2f0e-4c55-9d0c-6f5f3c2a9e01}\n')).toEqual([
      {name: 'UCS 4.1', id: 'acef4c0a-35be-4640-a214-be135417f04d'},
      {name: 'gw', id: '1b9e6a52-2f0e-4c55-9d0c-6f5f3c2a9e01'},
    ])
    expect(() => parseVmList('gw 1234\n')).toThrow(OcvmError)
  })

  it('showvminfo --machinereadable, quoted keys and values', () => {
    const info = parseMachineReadable('name="gw"\nmemory=4096\nVMState="poweroff"\n"SATA-0-0"="/v/gw.vdi"\n"SATA-ImageUUID-0-0"="7a0c"\n"SATA-1-0"="none"\n"IDE-1-0"="emptydrive"\n')
    expect(info.get('memory')).toBe('4096')
    expect(vmState(info.get('VMState'))).toBe('stopped')
    expect(attachedDisks(info)).toEqual([{target: 'SATA-0-0', path: '/v/gw.vdi', format: 'vdi'}])
  })

  it('VM states and OS types', () => {
    expect(['running', 'poweroff', 'aborted', 'paused', 'saved', 'saving'].map(vmState)).toEqual(['running', 'stopped', 'stopped', 'paused', 'suspended', 'busy'])
    expect(guestOs('Ubuntu (64-bit)')).toEqual({os: 'linux', arch: 'x86_64'})
    expect(guestOs('Ubuntu (ARM 64-bit)')).toEqual({os: 'linux', arch: 'arm64'})
    expect(guestOs('Windows 11 (64-bit)')).toEqual({os: 'windows', arch: 'x86_64'})
  })

  it('showmediuminfo sizes and --version', () => {
    expect(parseMediumSizes('Capacity:       20480 MBytes\nSize on disk:   5210 MBytes\n')).toEqual({virtualBytes: 20480 * 1048576, allocatedBytes: 5210 * 1048576})
    expect(parseVersion('7.0.14r161095\n')).toBe('7.0.14r161095')
    expect(() => parseVersion('Oracle VM VirtualBox Command Line Management Interface\n')).toThrow(OcvmError)
  })
})
