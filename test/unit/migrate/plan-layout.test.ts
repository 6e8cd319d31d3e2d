import {describe, expect, it} from 'vitest'

import type {Inventory} from '../../../src/deployment/types.js'
import {planLayout} from '../../../src/migrate/plan-layout.js'

const inventory = (over: Partial<Inventory> = {}): Inventory => ({
  host: 'ssh://old', os: {kernel: 'Darwin', arch: 'arm64'}, user: 'alice', home: '/Users/alice', stateDir: '/Users/alice/.openclaw',
  stateDirSource: 'default', configPath: '/Users/alice/.openclaw/openclaw.json', profile: undefined,
  version: {config: '2026.2.19', cli: undefined, cliPath: undefined}, layout: {generation: 'jsonl', evidence: ''},
  gateway: {running: false, processes: []},
  agents: [
    {id: 'main', isDefault: true, workspace: '/Users/alice/.openclaw/workspaces/main', workspaceExists: true, agentDir: ''},
    {id: 'search', isDefault: false, workspace: '/Users/alice/research/search', workspaceExists: true, agentDir: ''},
    {id: 'gone', isDefault: false, workspace: '/Volumes/x/ws', workspaceExists: false, agentDir: ''},
    {id: 'nested', isDefault: false, workspace: '/Users/alice/research/search/sub', workspaceExists: true, agentDir: ''},
  ],
  configFiles: [], components: [], secrets: [], services: [], schedules: [], findings: [], totals: {sizeBytes: 0, fileCount: 0, transferBytes: 0},
  ...over,
})

describe('planLayout', () => {
  it('keeps the state dir at the same place relative to the new home, and moves outside workspaces along', () => {
    const layout = planLayout(inventory(), {user: 'openclaw', group: 'openclaw', home: '/home/openclaw'}, {sessions: 'include'}, 'RUN')
    expect(layout.targetStateDir).toBe('/home/openclaw/.openclaw')
    expect(layout.mappings).toEqual([{from: '/Users/alice/.openclaw', to: '/home/openclaw/.openclaw'}, {from: '/Users/alice', to: '/home/openclaw'}])
    expect(layout.roots.map((r) => [r.label, r.source, r.target, r.staging])).toEqual([
      ['state dir', '/Users/alice/.openclaw', '/home/openclaw/.openclaw', '/home/openclaw/.ocvm-staging-RUN-.openclaw'],
      ['workspace (search)', '/Users/alice/research/search', '/home/openclaw/research/search', '/home/openclaw/research/.ocvm-staging-RUN-search'],
    ])
    expect(layout.roots[0]?.exclude).toEqual(['./memory', './extensions/*/node_modules'])
  })

  it('honours --target-state-dir and --sessions exclude', () => {
    const layout = planLayout(inventory(), {user: 'b', group: 'b', home: '/home/b'}, {targetStateDir: '/srv/openclaw/state', sessions: 'exclude'}, 'RUN')
    expect(layout.roots[0]).toMatchObject({target: '/srv/openclaw/state', exclude: expect.arrayContaining(['./agents/*/sessions'])})
    expect(layout.mappings[0]).toEqual({from: '/Users/alice/.openclaw', to: '/srv/openclaw/state'})
  })

  it('leaves a state dir outside the home where it was', () => {
    const layout = planLayout(inventory({stateDir: '/var/lib/openclaw', agents: []}), {user: 'b', group: 'b', home: '/home/b'}, {sessions: 'include'}, 'RUN')
    expect(layout.targetStateDir).toBe('/var/lib/openclaw')
  })
})
