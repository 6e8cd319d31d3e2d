import {describe, expect, it} from 'vitest'

import * as rules from '../../../src/deployment/findings.js'

describe('findings', () => {
  it('flags placeholder allowFrom numbers, not real ones', () => {
    const found = rules.placeholderAllowFrom({
      channels: {
        whatsapp: {allowFrom: ['+46XXXXXXXXX', '+46701234567'], accounts: {bot: {groupAllowFrom: ['<your number>']}}},
        signal: {allowFrom: ['+15555550123']},
      },
    })
    expect(found.map((f) => f.message.split(' ')[0])).toEqual([
      'channels.whatsapp.allowFrom[0]',
      'channels.whatsapp.accounts.bot.groupAllowFrom[0]',
      'channels.signal.allowFrom[0]',
    ])
    expect(found.every((f) => f.severity === 'warning' && f.code === 'placeholder-allow-from')).toBe(true)
  })

  it('requires gateway.mode local', () => {
    expect(rules.gatewayMode({})[0]).toMatchObject({severity: 'error', code: 'gateway-mode-missing'})
    expect(rules.gatewayMode({gateway: {mode: 'remote'}})[0]).toMatchObject({severity: 'warning', code: 'gateway-mode-remote'})
    expect(rules.gatewayMode({gateway: {mode: 'local'}})).toEqual([])
  })

  it('turns empty and unresolved secrets into findings without values', () => {
    const found = rules.secretValueFindings([
      {name: 'BRAVE_API_KEY', sources: ['/etc/openclaw/secrets.env'], state: 'empty'},
      {name: 'GITHUB_TOKEN', sources: ['config'], state: 'referenced'},
      {name: 'ANTHROPIC_API_KEY', sources: ['/etc/openclaw/secrets.env'], state: 'set'},
    ])
    expect(found.map((f) => [f.code, f.severity])).toEqual([['empty-env', 'error'], ['missing-env', 'warning']])
    expect(found[0]?.hint).toContain('not-configured')
  })

  it('flags plugin dirs that do not match the manifest id', () => {
    const found = rules.pluginDirMismatch([
      {dir: '/s/extensions/openclaw-web-guard', id: 'web-guard'},
      {dir: '/s/extensions/image-gen', id: 'image-gen'},
      {dir: '/s/extensions/broken', id: undefined},
    ])
    expect(found.map((f) => f.code)).toEqual(['plugin-dir-mismatch', 'plugin-manifest-missing'])
    expect(found[0]?.hint).toContain('extensions/web-guard')
  })

  it('resolves path-bearing config values and reports those that point nowhere', () => {
    const refs = rules.configPathRefs({
      agents: {defaults: {workspace: '~/ws', sandbox: {docker: {binds: ['/src/code:/code:rw']}}}, list: [{id: 'a', agentDir: '/h/.openclaw/agents/a/agent'}]},
      channels: {googlechat: {webhookPath: '/googlechat', serviceAccountFile: '/gone/sa.json'}},
      session: {store: '~/.openclaw/agents/{agentId}/sessions/sessions.json'},
    }, '/h')
    expect(refs.map((r) => [r.key, r.resolved])).toEqual([
      ['agents.defaults.workspace', '/h/ws'],
      ['agents.defaults.sandbox.docker.binds[0]', '/src/code'],
      ['agents.list[0].agentDir', '/h/.openclaw/agents/a/agent'],
      ['channels.googlechat.serviceAccountFile', '/gone/sa.json'],
    ])
    const found = rules.danglingPaths(refs, new Set(['/h/ws', '/src/code']), '/h/.openclaw')
    expect(found.map((f) => [f.code, f.severity, f.path])).toEqual([
      ['path-not-created', 'info', '/h/.openclaw/agents/a/agent'],
      ['path-not-found', 'warning', '/gone/sa.json'],
    ])
  })

  it('warns about a running gateway and stray WAL files', () => {
    const wal = {entries: [{type: 'file' as const, size: 1, mode: 0o600, owner: 'a', path: '/s/state/openclaw.sqlite-wal'}], missing: [], denied: []}
    expect(rules.liveGateway([{pid: 42}], wal)[0]).toMatchObject({code: 'gateway-running', severity: 'warning'})
    expect(rules.liveGateway([], wal)[0]).toMatchObject({code: 'sqlite-wal-present'})
    expect(rules.liveGateway([], {entries: [], missing: [], denied: []})).toEqual([])
  })

  it('reports unreadable paths and symlinks that leave the state dir', () => {
    const found = rules.listingProblems({
      entries: [
        {type: 'symlink', size: 5, mode: 0o777, owner: 'a', path: '/s/link-out', linkTarget: '/etc/passwd'},
        {type: 'symlink', size: 5, mode: 0o777, owner: 'a', path: '/s/link-in', linkTarget: '/s/openclaw.json'},
      ],
      missing: [],
      denied: ['/s/secret'],
    }, '/s')
    expect(found.map((f) => [f.code, f.path])).toEqual([['permission-denied', '/s/secret'], ['symlink-outside', '/s/link-out']])
  })

  it('notes comments and an inline gateway token, but not a ${VAR} token', () => {
    expect(rules.configNotes([{path: 'a', hasComments: true}], {gateway: {auth: {token: 'abc'}}}).map((f) => f.code)).toEqual(['config-comments', 'inline-gateway-token'])
    expect(rules.configNotes([{path: 'a', hasComments: false}], {gateway: {auth: {token: '${OPENCLAW_GATEWAY_TOKEN}'}}})).toEqual([])
  })
})
