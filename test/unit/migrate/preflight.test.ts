import {describe, expect, it} from 'vitest'

import type {Component, Finding, Inventory} from '../../../src/deployment/types.js'
import {findingsToShow, noOpenclawOnTarget, plannedPayload} from '../../../src/migrate/preflight.js'

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

const component = (kind: Component['kind'], treatment: Component['treatment'], sizeBytes: number, fileCount: number) =>
  ({id: kind, kind, title: kind, treatment, present: true, paths: [], sizeBytes, fileCount, outsideStateDir: false, note: ''}) as Component

describe('plannedPayload', () => {
  const components = [
    component('config', 'transfer', 1000, 2),
    component('sessions', 'optional', 700, 4),
    component('logs', 'optional', 100, 2),
    component('memory-index', 'rebuild', 65_536, 1),
    component('signal', 're-pair', 41, 1),
  ]
  const inventory = (generation: Inventory['layout']['generation']) => ({components, layout: {generation, evidence: ''}}) as Pick<Inventory, 'components' | 'layout'>

  it('counts what travels as files, not what is rebuilt or re-paired', () => {
    expect(plannedPayload(inventory('jsonl'), 'include')).toEqual({bytes: 1800, files: 8})
    expect(plannedPayload(inventory('jsonl'), 'scan')).toEqual({bytes: 1800, files: 8})
  })

  it('leaves out the JSONL transcripts --sessions exclude leaves behind (SQLite-era sessions move with their database)', () => {
    expect(plannedPayload(inventory('jsonl'), 'exclude')).toEqual({bytes: 1100, files: 4})
    expect(plannedPayload(inventory('sqlite'), 'exclude')).toEqual({bytes: 1800, files: 8})
  })
})

describe('findingsToShow', () => {
  const finding = (severity: Finding['severity'], code: string): Finding => ({severity, code, message: code, hint: ''})

  it('errors first, then warnings; no info, and not the running gateway the plan itself warns about', () => {
    const shown = findingsToShow({findings: [finding('warning', 'placeholder-allow-from'), finding('info', 'config-comments'), finding('warning', 'gateway-running'), finding('error', 'empty-env')]})
    expect(shown.map((f) => f.code)).toEqual(['empty-env', 'placeholder-allow-from'])
  })
})
