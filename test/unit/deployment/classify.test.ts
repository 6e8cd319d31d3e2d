import {describe, expect, it} from 'vitest'

import {classifyEntries, classifyStatePath} from '../../../src/deployment/classify.js'
import type {TreeEntry} from '../../../src/hosts/remote-fs.js'

const S = '/home/alice/.openclaw'
const file = (path: string, size = 10): TreeEntry => ({type: 'file', size, mode: 0o600, owner: 'alice', path})
const dir = (path: string): TreeEntry => ({type: 'dir', size: 4096, mode: 0o700, owner: 'alice', path})

describe('classifyStatePath', () => {
  it.each([
    ['openclaw.json', 'config', undefined],
    ['openclaw.json.bak.1', 'config', undefined],
    ['.env', 'dotenv', undefined],
    ['credentials/whatsapp/default/creds.json', 'whatsapp', 'default'],
    ['credentials/whatsapp/bot/pre-key-1.json', 'whatsapp', 'bot'],
    ['credentials/googlechat/service-account.json', 'googlechat', undefined],
    ['credentials/whatsapp-allowFrom.json', 'channel-credentials', undefined],
    ['agents/main/agent/auth-profiles.json', 'auth-profiles', 'main'],
    ['agents/main/agent/openclaw-agent.sqlite', 'sessions', 'main'],
    ['agents/ops/sessions/abc.jsonl', 'sessions', 'ops'],
    ['agents/ops/qmd/index', 'memory-index', 'ops'],
    ['agents/ops/agent/models.json', 'agent-state', 'ops'],
    ['state/openclaw.sqlite-wal', 'state-db', undefined],
    ['identity/device.json', 'identity', undefined],
    ['devices/paired.json', 'identity', undefined],
    ['memory/main.sqlite', 'memory-index', undefined],
    ['extensions/web-guard/index.ts', 'extensions', 'web-guard'],
    ['extensions/web-guard/node_modules/x/index.js', 'extension-deps', 'web-guard'],
    ['cron/jobs.json', 'cron-store', undefined],
    ['logs/gateway.log', 'logs', undefined],
    ['media/a.png', 'runtime-cache', undefined],
    ['workspaces/search/SOUL.md', 'workspace', 'search'],
    ['exec-approvals.json', 'other-state', undefined],
  ])('%s -> %s', (rel, kind, key) => {
    const slot = classifyStatePath(S, rel)
    expect(slot.kind).toBe(kind)
    expect(slot.key).toBe(key)
  })
})

describe('classifyEntries', () => {
  it('sums sizes and counts per component, workspaces and externals first', () => {
    const components = classifyEntries({
      stateDir: S,
      entries: [
        dir(S), dir(`${S}/agents`), dir(`${S}/agents/main/sessions`),
        file(`${S}/openclaw.json`, 100),
        file(`${S}/credentials/whatsapp/default/creds.json`, 50), file(`${S}/credentials/whatsapp/default/k1.json`, 25),
        file('/srv/ws/main/SOUL.md', 7), dir('/srv/ws/main'),
        file('/home/alice/gc.json', 3),
        {type: 'symlink', size: 20, mode: 0o777, owner: 'alice', path: `${S}/cron/link`, linkTarget: '/tmp/x'},
      ],
      workspaces: [{agent: 'main', dir: '/srv/ws/main'}],
      externals: [{kind: 'googlechat', root: '/home/alice/gc.json'}],
      configFiles: [`${S}/openclaw.json`],
    })
    expect(components.get('config')).toMatchObject({sizeBytes: 100, fileCount: 1, outsideStateDir: false})
    expect(components.get('whatsapp:default')).toMatchObject({sizeBytes: 75, fileCount: 2, account: 'default', paths: [`${S}/credentials/whatsapp/default`]})
    expect(components.get('workspace:main')).toMatchObject({sizeBytes: 7, fileCount: 1, outsideStateDir: true, agent: 'main'})
    expect(components.get('googlechat')).toMatchObject({sizeBytes: 3, outsideStateDir: true})
    // A symlink counts as a file but adds no bytes; bare directories make no component.
    expect(components.get('cron-store')).toMatchObject({sizeBytes: 0, fileCount: 1})
    expect(components.has('other-state')).toBe(false)
    expect(components.has('sessions:main')).toBe(false)
  })
})
