import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {launchRelease, launchShape, mpArgv} from '../../../../src/drivers/multipass/argv.js'
import {mapMpFailure} from '../../../../src/drivers/multipass/errors.js'
import {mpState, parseMpInfo, parseMpList} from '../../../../src/drivers/multipass/schema.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/fixtures/multipass', name), 'utf8')
const result = (stderr: string, exitCode = 2) => ({command: 'multipass', args: [], exitCode, stdout: '', stderr, timedOut: false, canceled: false, durationMs: 1})

describe('multipass output parsers', () => {
  it('parses `list --format json`', () => {
    expect(parseMpList(fixture('list.json'), 'h')).toEqual([{ipv4: ['10.168.32.2', '200.3.123.30'], name: 'foo', release: 'Ubuntu 16.04 LTS', state: 'Running'}])
  })

  it('parses `info --format json` with string-typed numbers, and empty values of a stopped instance', () => {
    const running = parseMpInfo(fixture('info-multiple.json'), 'bogus-instance', 'h')
    expect(running.cpu_count).toBe('4')
    expect(running.disks.sda1).toEqual({total: '6764573492', used: '1932735284'})
    const stopped = parseMpInfo(fixture('info-multiple.json'), 'bombastic', 'h')
    expect([stopped.cpu_count, stopped.memory, stopped.image_release, stopped.state]).toEqual(['', {}, '18.04 LTS', 'Stopped'])
  })

  it('drift (cpu_count as a number) is "unexpected multipass output"', () => {
    const drifted = fixture('info-multiple.json').replace('"cpu_count": "4"', '"cpu_count": 4')
    expect(() => parseMpInfo(drifted, 'bogus-instance', 'h')).toThrow(/^unexpected multipass output from `multipass info bogus-instance --format json` on h: info\.bogus-instance\.cpu_count/)
    expect(() => parseMpInfo(fixture('info-multiple.json'), 'other', 'h')).toThrow(/no entry for "other"/)
  })

  it('maps states', () => {
    expect(['Running', 'Stopped', 'Suspended', 'Starting', 'Delayed Shutdown', 'Deleted', 'Unknown'].map(mpState)).toEqual(['running', 'stopped', 'suspended', 'busy', 'busy', 'unknown', 'unknown'])
  })

  it('re-creates the shape: release from image_release, memory and disk rounded up', () => {
    expect(launchRelease('22.04 LTS')).toBe('22.04')
    expect(launchRelease('Ubuntu 16.04.3 LTS')).toBe('16.04')
    expect(launchRelease('')).toBeUndefined()
    expect(launchShape({cpus: 4, memoryMiB: 1536, diskBytes: 6_764_573_492})).toEqual({cpus: 4, memoryMiB: 1536, diskGiB: 7})
    expect(launchShape({cpus: 2, memoryMiB: 1966, diskBytes: 2 * 1024 ** 3})).toEqual({cpus: 2, memoryMiB: 2048, diskGiB: 5})
    expect(launchShape({})).toEqual({cpus: 1, memoryMiB: 1024, diskGiB: 5})
    expect(mpArgv.launch('22.04', 'vm', {cpus: 2, memoryMiB: 2048, diskGiB: 8})).toEqual(['multipass', 'launch', '22.04', '--name', 'vm', '--cpus', '2', '--memory', '2048M', '--disk', '8G', '--timeout', '900'])
    expect(mpArgv.exec('vm', ['sh', '-c', 'x y'])).toEqual(['multipass', 'exec', 'vm', '-n', '--', 'sh', '-c', 'x y'])
  })
})

describe('multipass error mapping (reference §3.3 texts)', () => {
  const cases: Array<[string, number, string]> = [
    ['info failed: instance "vm" does not exist', 2, 'vm-not-found'],
    ['exec failed: instance "vm" does not exist\nexec failed: instance "vm" does not exist', 2, 'vm-not-found'],
    ["start failed: instance(s) missing\nInstance 'vm' does not exist.", 2, 'vm-not-found'],
    ['info failed: instance "vm" is deleted', 2, 'vm-state'],
    ['transfer failed: instance "vm" is not running', 2, 'vm-state'],
    ['stop failed: the instance is busy\nUse --force to power it off.', 2, 'vm-state'],
    ['clone failed: Multipass can only clone stopped instances.', 2, 'vm-state'],
    ['list failed: cannot connect to the multipass socket', 3, 'hypervisor-unavailable'],
  ]
  it.each(cases)('%s (exit %i) → %s', (stderr, exitCode, code) => {
    const error = mapMpFailure(result(stderr, exitCode), 'ssh://box')
    expect(error?.code).toBe(code)
    expect(error?.hint).toBeTruthy()
  })

  it('names the instance', () => {
    expect(mapMpFailure(result("start failed: instance(s) missing\nInstance 'vm' does not exist."), 'h')?.message).toBe('multipass has no VM named "vm" on h')
  })
})
