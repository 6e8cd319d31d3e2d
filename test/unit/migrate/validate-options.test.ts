import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {validateMigrateOptions} from '../../../src/migrate/validate-options.js'
import type {MigrateOptions} from '../../../src/migrate/types.js'

const base: MigrateOptions = {driver: 'file', from: 'a', to: 'b', sessions: 'include', dryRun: true, force: false}

describe('validateMigrateOptions', () => {
  it.each([
    ['targetStateDir', 'relative/dir', /absolute/],
    ['targetStateDir', '-rf', /absolute/],
    ['targetHome', '/home/bob\n/etc', /control characters/],
    ['stateDir', '/home/alice/../../etc', /"\.\."/],
    ['profile', '../root', /plain name/],
    ['profile', '-x', /plain name/],
  ] as const)('%s %j is refused', (key, value, message) => {
    expect(() => validateMigrateOptions({...base, [key]: value})).toThrow(UsageError)
    expect(() => validateMigrateOptions({...base, [key]: value})).toThrow(message)
  })

  it('accepts odd but legal absolute paths verbatim (spaces, quotes, ;)', () => {
    expect(() => validateMigrateOptions({...base, targetStateDir: `/home/bob/odd dir/it's "x";y`, targetHome: '/home/bob', profile: 'work.2'})).not.toThrow()
  })
})
