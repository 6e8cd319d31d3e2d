import {describe, expect, it} from 'vitest'

import type {VmInfo} from '../../../../src/drivers/api.js'
import {UsageError} from '../../../../src/errors.js'
import {decideMode, normaliseArch} from '../../../../src/migrate/image/mode.js'
import {dirDriver} from './dir-driver.js'

const vm = (over: Partial<VmInfo> = {}): VmInfo => ({name: 'gw', state: 'running', os: 'linux', arch: 'x86_64', disks: [], ...over})
const exporting = dirDriver({root: '/nowhere'})
const provisioning = dirDriver({root: '/nowhere', canExport: false, provision: true})
const both = dirDriver({root: '/nowhere', provision: true})

describe('decideMode', () => {
  it('moves the image when the driver exports and the architecture matches', () => {
    expect(decideMode({requested: 'auto', live: false, driver: exporting, vm: vm(), targetArch: 'x86_64'})).toEqual({mode: 'image', reason: expect.stringMatching(/can boot on the x86_64 target/)})
  })

  it('falls back to the state when the image cannot boot on the target, and says why', () => {
    const d = decideMode({requested: 'auto', live: false, driver: both, vm: vm({os: 'macos', arch: 'arm64'}), targetArch: 'x86_64'})
    expect(d.mode).toBe('state')
    expect(d.reason).toBe('an arm64 macos image does not boot on an x86_64 host: moving the OpenClaw state into a new VM instead')
  })

  it('falls back to the state when the hypervisor has no export', () => {
    expect(decideMode({requested: 'auto', live: false, driver: provisioning, vm: vm(), targetArch: 'x86_64'}).mode).toBe('state')
  })

  it('refuses a forced mode that cannot work, with the reason', () => {
    expect(() => decideMode({requested: 'image', live: false, driver: both, vm: vm({arch: 'arm64'}), targetArch: 'x86_64'})).toThrow(/--mode image is impossible: an arm64 linux image does not boot/)
    expect(() => decideMode({requested: 'state', live: false, driver: exporting, vm: vm(), targetArch: 'x86_64'})).toThrow(UsageError)
    expect(() => decideMode({requested: 'auto', live: true, driver: exporting, vm: vm(), targetArch: 'x86_64'})).toThrow(/cannot live-migrate/)
    expect(() => decideMode({requested: 'auto', live: false, driver: exporting, vm: vm({arch: 'arm64'}), targetArch: 'x86_64'})).toThrow(/cannot create a VM on the target/)
  })

  it('an unknown architecture on either side does not block an image move', () => {
    expect(decideMode({requested: 'auto', live: false, driver: exporting, vm: vm({arch: 'unknown'}), targetArch: 'x86_64'}).mode).toBe('image')
  })
})

describe('normaliseArch', () => {
  it('maps uname -m output', () => {
    expect(normaliseArch('x86_64\n')).toBe('x86_64')
    expect(normaliseArch('aarch64')).toBe('arm64')
    expect(normaliseArch('arm64')).toBe('arm64')
    expect(normaliseArch('riscv64')).toBe('unknown')
  })
})
