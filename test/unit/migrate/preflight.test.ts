import {describe, expect, it} from 'vitest'

import {noOpenclawOnTarget} from '../../../src/migrate/preflight.js'

describe('preflight: no OpenClaw on the target', () => {
  it('names the version to install when the source\'s is known', () => {
    expect(noOpenclawOnTarget('ssh://root@new', '2026.2.19')).toBe('OpenClaw is not installed on ssh://root@new (for the login user): before starting the gateway there, install OpenClaw 2026.2.19 or newer (npm install -g openclaw@2026.2.19).')
  })

  it('says what to install, without a hole where the version goes, when the source\'s is unknown', () => {
    const said = noOpenclawOnTarget('ssh://root@new', undefined)
    expect(said).toBe('OpenClaw is not installed on ssh://root@new (for the login user): before starting the gateway there, install the newest OpenClaw (npm install -g openclaw@latest); the source\'s version is unknown, and an OpenClaw older than the state refuses it.')
    expect(said).not.toMatch(/install (it|undefined) or newer/)
  })
})
