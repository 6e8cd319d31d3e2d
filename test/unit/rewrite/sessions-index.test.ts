import {describe, expect, it} from 'vitest'

import {Json5SyntaxError} from '../../../src/rewrite/json5-rewrite.js'
import {PathMap} from '../../../src/rewrite/path-map.js'
import {rewriteSessionsIndex} from '../../../src/rewrite/sessions-index.js'

const OLD = '/Users/openclaw/.openclaw/agents/main/sessions'
const NEW = '/home/openclaw/.openclaw/agents/main/sessions'
const map = new PathMap([
  {from: '/Users/openclaw/.openclaw', to: '/home/openclaw/.openclaw'},
  {from: '/Users/openclaw', to: '/home/openclaw'},
])

// What 2026.2.x writes (JSON.stringify(store, null, 2)): absolute transcript paths in sessionFile.
const store = {
  'agent:main:main': {
    sessionId: '7b1f2c9e-0000-4000-8000-000000000001',
    updatedAt: 1771400000000,
    sessionFile: `${OLD}/7b1f2c9e-0000-4000-8000-000000000001.jsonl`,
    chatType: 'direct',
    systemPromptReport: {workspaceDir: '/Users/openclaw/.openclaw/workspaces/main'},
  },
  'agent:main:whatsapp:group:120363000000000000@g.us': {
    sessionId: '7b1f2c9e-0000-4000-8000-000000000002',
    updatedAt: 1771400000001,
    sessionFile: `${OLD}/7b1f2c9e-0000-4000-8000-000000000002-topic-42.jsonl`,
    origin: {sessionFile: '/Users/openclaw/not-an-index-field.jsonl'},
  },
  'agent:main:telegram:dm:1': {
    sessionId: '7b1f2c9e-0000-4000-8000-000000000003',
    updatedAt: 1771400000002,
    sessionFile: '7b1f2c9e-0000-4000-8000-000000000003.jsonl',
  },
  'agent:main:cron:nightly': {sessionId: '7b1f2c9e-0000-4000-8000-000000000004', updatedAt: 1771400000003},
  'agent:main:elsewhere': {sessionId: 'x', updatedAt: 1, sessionFile: '/var/lib/openclaw/sessions/x.jsonl'},
}
const text = `${JSON.stringify(store, null, 2)}\n`

describe('rewriteSessionsIndex', () => {
  const result = rewriteSessionsIndex(text, map)

  it('rewrites absolute sessionFile paths under the old dirs', () => {
    expect(result.changes).toEqual([
      {
        key: 'agent:main:main.sessionFile',
        from: `${OLD}/7b1f2c9e-0000-4000-8000-000000000001.jsonl`,
        to: `${NEW}/7b1f2c9e-0000-4000-8000-000000000001.jsonl`,
      },
      {
        key: 'agent:main:whatsapp:group:120363000000000000@g.us.sessionFile',
        from: `${OLD}/7b1f2c9e-0000-4000-8000-000000000002-topic-42.jsonl`,
        to: `${NEW}/7b1f2c9e-0000-4000-8000-000000000002-topic-42.jsonl`,
      },
    ])
    const parsed = JSON.parse(result.text)
    expect(parsed['agent:main:main'].sessionFile).toBe(`${NEW}/7b1f2c9e-0000-4000-8000-000000000001.jsonl`)
  })

  it('leaves relative, foreign, nested and non-sessionFile paths alone', () => {
    const parsed = JSON.parse(result.text)
    expect(parsed['agent:main:telegram:dm:1'].sessionFile).toBe('7b1f2c9e-0000-4000-8000-000000000003.jsonl')
    expect(parsed['agent:main:elsewhere'].sessionFile).toBe('/var/lib/openclaw/sessions/x.jsonl')
    expect(parsed['agent:main:whatsapp:group:120363000000000000@g.us'].origin.sessionFile).toBe('/Users/openclaw/not-an-index-field.jsonl')
    expect(parsed['agent:main:main'].systemPromptReport.workspaceDir).toBe('/Users/openclaw/.openclaw/workspaces/main')
    expect(parsed['agent:main:cron:nightly']).toEqual(store['agent:main:cron:nightly'])
  })

  it('keeps the formatting: the output is the input with the paths replaced', () => {
    expect(result.text).toBe(text.replaceAll(`"${OLD}/`, `"${NEW}/`))
  })

  it('keeps compact JSON compact', () => {
    const compact = JSON.stringify(store)
    expect(rewriteSessionsIndex(compact, map).text).toBe(compact.replaceAll(`"${OLD}/`, `"${NEW}/`))
  })

  it('handles an empty store and one with nothing to change', () => {
    expect(rewriteSessionsIndex('{}\n', map)).toEqual({text: '{}\n', changes: []})
    expect(rewriteSessionsIndex(result.text, map)).toEqual({text: result.text, changes: []})
  })

  it('throws on a corrupt file', () => {
    expect(() => rewriteSessionsIndex('{"agent:main:main": {"sessionFile": "/Users/openclaw/x"', map)).toThrow(Json5SyntaxError)
  })
})
