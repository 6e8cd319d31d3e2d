import {describe, expect, it} from 'vitest'

import {closestCommand} from '../../src/not-found.js'

describe('closestCommand', () => {
  const ids = ['migrate', 'import', 'export', 'inspect', 'verify', 'doctor', 'drivers:list', 'drivers:doctor', 'hooks:list', 'hooks:run']

  it('suggests the command a typo was meant to be', () => {
    expect(closestCommand('migrat', ids)).toBe('migrate')
    expect(closestCommand('imprt', ids)).toBe('import')
    expect(closestCommand('drivers:lst', ids)).toBe('drivers:list')
    expect(closestCommand('hooks:rnu', ids)).toBe('hooks:run')
  })

  it('suggests nothing for a word that is no near any command', () => {
    expect(closestCommand('xyzzy', ids)).toBeUndefined()
    expect(closestCommand('backup', ids)).toBeUndefined()
  })
})
