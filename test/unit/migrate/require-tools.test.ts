import {describe, expect, it} from 'vitest'

import type {Shell} from '../../../src/hosts/shell.js'
import {requireTools} from '../../../src/migrate/preflight.js'

const mac = {label: 'ssh://admin@mac'} as Shell

describe('requireTools', () => {
  it('refuses a Mac whose find and tar are the BSD ones, saying how to get GNU ones', () => {
    const tools = {tar: true, find: true, sha256sum: true, 'gnu-find': false, 'gnu-tar': true}
    expect(() => requireTools(mac, {tools, os: 'macos'}, ['tar', 'find'])).toThrow(/the `find` on ssh:\/\/admin@mac is not GNU find \(no -printf\)/)
    let hint = ''
    try {
      requireTools(mac, {tools, os: 'macos'}, ['find'])
    } catch (error) {
      hint = (error as {hint: string}).hint
    }
    expect(hint).toMatch(/brew install findutils.*gnubin first on the PATH/)
  })

  it('accepts GNU tools, and probes that did not say (older ones) are not second-guessed', () => {
    expect(() => requireTools(mac, {tools: {tar: true, find: true, 'gnu-find': true, 'gnu-tar': true}}, ['tar', 'find'])).not.toThrow()
    expect(() => requireTools(mac, {tools: {tar: true, find: true}}, ['tar', 'find'])).not.toThrow()
    expect(() => requireTools(mac, {tools: {tar: true}}, ['tar', 'zstd'])).toThrow(/`zstd` is not installed/)
  })
})
