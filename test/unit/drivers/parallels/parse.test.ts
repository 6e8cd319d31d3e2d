import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {prlArgv} from '../../../../src/drivers/parallels/argv.js'
import {mapPrlFailure} from '../../../../src/drivers/parallels/errors.js'
import {editionHasCli, memoryMiB, parsePrlInfo, parsePrlList, prlDisks, prlGuestAddress, prlOs, prlState} from '../../../../src/drivers/parallels/schema.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/fixtures/prlctl', name), 'utf8')
const result = (stderr: string, exitCode = 255) => ({command: 'prlctl', args: [], exitCode, stdout: '', stderr, timedOut: false, canceled: false, durationMs: 1})

describe('prlctl output parsers', () => {
  it('parses the real `list -a -j` and `list -f --json` captures', () => {
    expect(parsePrlList(fixture('list-a-j.json'), 'h')).toEqual([{uuid: '01732d18-5897-4550-b905-6fb947678c68', status: 'invalid', ip_configured: '-', name: 'Windows 11'}])
    const [full] = parsePrlList(fixture('list-f-json.json'), 'h')
    expect(full?.ip_configured).toBe('10.211.55.130')
  })

  it('parses `list -i -j`: bundle, CPUs, memory, disks, guest IPv4 (skipping IPv6)', () => {
    const info = parsePrlInfo(fixture('list-i-j-running.json'), 'my-vm', 'h')
    expect(info.Home).toBe('/Users/distiller/Parallels/my-vm.pvm/')
    expect(info.Hardware.cpu.cpus).toBe(10)
    expect(memoryMiB(info)).toBe(16_384)
    expect(prlDisks(info)).toEqual([{target: 'hdd0', image: '/Users/distiller/Parallels/my-vm.pvm/big-sur-clean-0.hdd', virtualBytes: 262_144 * 1024 * 1024}])
    expect(prlGuestAddress(info)).toBe('10.211.55.4')
    expect(prlOs(info.OS)).toBe('macos')
  })

  it('falls back to ip_configured, ignoring "-"', () => {
    const info = {...parsePrlInfo(fixture('list-i-j-running.json'), 'my-vm', 'h'), Network: {ipAddresses: []}}
    expect(prlGuestAddress(info, '10.211.55.130')).toBe('10.211.55.130')
    expect(prlGuestAddress(info, '-')).toBeUndefined()
  })

  it('drift (cpus as a string, memory without Mb) is "unexpected prlctl output"', () => {
    const drifted = fixture('list-i-j-running.json').replace('"cpus": 10', '"cpus": "10"')
    expect(() => parsePrlInfo(drifted, 'my-vm', 'h')).toThrow(/^unexpected prlctl output from `prlctl list -i -j my-vm` on h: 0\.Hardware\.cpu\.cpus/)
    expect(() => parsePrlInfo(fixture('list-i-j-running.json').replace('16384Mb', '16 GB'), 'my-vm', 'h')).toThrow(/Hardware\.memory\.size/)
    expect(() => parsePrlList('VM list is empty', 'h')).toThrow(/unexpected prlctl output.*not JSON/)
  })

  it('maps states, editions', () => {
    expect(['running', 'stopped', 'suspended', 'paused', 'resuming', 'invalid'].map(prlState)).toEqual(['running', 'stopped', 'suspended', 'paused', 'busy', 'unknown'])
    expect(['pro', 'business', 'Enterprise', 'standard', 'home'].map(editionHasCli)).toEqual([true, true, true, false, false])
  })

  it('argv: register asks explicitly for a new or the same UUID', () => {
    expect(prlArgv.register('/x/vm.pvm', false)).toEqual(['prlctl', 'register', '/x/vm.pvm', '--preserve-uuid=no'])
    expect(prlArgv.register('/x/vm.pvm', true)).toEqual(['prlctl', 'register', '/x/vm.pvm', '--preserve-uuid=yes'])
    expect(prlArgv.info('my vm')).toEqual(['prlctl', 'list', '-i', '-j', 'my vm'])
  })
})

describe('prlctl error mapping (reference §2.3 texts)', () => {
  const cases: Array<[string, number, string]> = [
    ['Failed to get VM config: The virtual machine could not be found. The virtual machine is not registered in the virtual machine directory on your Mac.', 255, 'vm-not-found'],
    ['Stopping the VM...\nFailed to stop the VM: Unable to complete the operation. This operation cannot be completed because the virtual machine "my-vm is in the "paused" state.', 255, 'vm-state'],
    ['Failed to start the VM: Unable to complete the operation. This operation cannot be completed because "Windows 11" is in the "resuming" state.', 255, 'vm-state'],
    ['Failed to remove the VM: Unable to perform the action because the virtual machine is busy. The virtual machine is currently running. Please try again later.', 255, 'vm-state'],
    ['Unable to connect to Parallels Service. Make sure that the Parallels Service is running.', 253, 'hypervisor-unavailable'],
    ['The command-line interface is available only in Parallels Desktop for Mac Pro Edition and Business Edition.', 255, 'hypervisor-unavailable'],
    ['Failed to register the VM: The virtual machine "x" is already registered.', 255, 'vm-exists'],
  ]
  it.each(cases)('%s (exit %i) → %s', (stderr, exitCode, code) => {
    const error = mapPrlFailure(result(stderr, exitCode), 'ssh://mac', 'my-vm')
    expect(error?.code).toBe(code)
    expect(error?.hint).toBeTruthy()
  })

  it('names the paused state in the message', () => {
    expect(mapPrlFailure(result(cases[1]![0]), 'h', 'my-vm')?.message).toBe('prlctl VM "my-vm" on h: cannot stop while it is paused')
  })
})
