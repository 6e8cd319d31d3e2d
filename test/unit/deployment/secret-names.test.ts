import {describe, expect, it} from 'vitest'

import {isPlainEnv, maskArgv, maskConfigSecrets, maskInlineSecrets} from '../../../src/deployment/secret-names.js'

describe('isPlainEnv', () => {
  it('treats configuration variables as plain', () => {
    for (const name of ['HOME', 'PATH', 'OPENCLAW_HOME', 'OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'OPENCLAW_GATEWAY_PORT', 'DOCKER_HOST', 'JAVA_HOME', 'GOOGLE_CHAT_SERVICE_ACCOUNT_FILE', 'OPENCLAW_SERVICE_MARKER']) {
      expect(isPlainEnv(name), name).toBe(true)
    }
  })

  it('treats credentials and unknown names as secrets', () => {
    for (const name of ['OPENCLAW_GATEWAY_TOKEN', 'ANTHROPIC_API_KEY', 'BRAVE_API_KEY', 'GITHUB_TOKEN', 'OPENROUTER_API_KEY', 'SOMETHING_NEW', 'home', 'Path', '']) {
      expect(isPlainEnv(name), name).toBe(false)
    }
  })
})

describe('maskInlineSecrets', () => {
  it.each([
    ['openclaw gateway --token abc123 --port 18789', 'openclaw gateway --token *** --port 18789'],
    ['openclaw gateway --token=abc123', 'openclaw gateway --token=***'],
    ['x --password  hunter2 y', 'x --password  *** y'],
    ['x --api-key=k1 --apikey k2 --secret s3 --Token T4', 'x --api-key=*** --apikey *** --secret *** --Token ***'],
    ['curl -s -H "Authorization: Bearer 9f86d081884c7d65" http://127.0.0.1:18789/health', 'curl -s -H "Authorization: Bearer ***" http://127.0.0.1:18789/health'],
    ['GITHUB_TOKEN=github_pat_11AAA git push', 'GITHUB_TOKEN=*** git push'],
    ['ANTHROPIC_API_KEY="sk ant" node x', 'ANTHROPIC_API_KEY=*** node x'],
    ["DB_PASSWORD='p w' run", 'DB_PASSWORD=*** run'],
    ['GITHUB_PAT=ghp_x MY_SECRET=y', 'GITHUB_PAT=*** MY_SECRET=***'],
    ['git push https://bot:ghp_abcdef@github.com/o/r.git', 'git push https://bot:***@github.com/o/r.git'],
  ])('masks %j', (line, masked) => {
    expect(maskInlineSecrets(line)).toBe(masked)
  })

  it.each([
    'find /home/openclaw/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete',
    'openclaw gateway --port 18789',
    'openclaw gateway --token-file /etc/openclaw/token',
    'PATH=/usr/local/bin:/usr/bin openclaw doctor',
    'OPENCLAW_CONFIG_PATH=/srv/openclaw.json openclaw gateway',
    'NODE_PATH=/usr/lib/node_modules node x',
    'openclaw gateway --auth token --bind loopback',
    'openclaw gateway --auth=password',
    'https://github.com/o/r.git',
    'ssh://user@host:22',
  ])('leaves %j alone', (line) => {
    expect(maskInlineSecrets(line)).toBe(line)
  })
})

describe('maskArgv', () => {
  it('masks the argument after a bare secret flag', () => {
    expect(maskArgv(['openclaw', 'gateway', '--token', 'abc123', '--port', '18789'])).toEqual(['openclaw', 'gateway', '--token', '***', '--port', '18789'])
    expect(maskArgv(['x', '--PASSWORD', 'p', '--api-key', 'k', '--secret', 's'])).toEqual(['x', '--PASSWORD', '***', '--api-key', '***', '--secret', '***'])
  })

  it('masks inline forms inside single arguments', () => {
    expect(maskArgv(['env', 'OPENCLAW_GATEWAY_TOKEN=abc', 'openclaw', '--token=xyz'])).toEqual(['env', 'OPENCLAW_GATEWAY_TOKEN=***', 'openclaw', '--token=***'])
    expect(maskArgv(['curl', '-H', 'Authorization: Bearer abc.def'])).toEqual(['curl', '-H', 'Authorization: Bearer ***'])
  })

  it('keeps an --auth mode but masks an --auth credential', () => {
    expect(maskArgv(['openclaw', 'gateway', '--auth', 'token'])).toEqual(['openclaw', 'gateway', '--auth', 'token'])
    expect(maskArgv(['openclaw', 'gateway', '--auth', 'password'])).toEqual(['openclaw', 'gateway', '--auth', 'password'])
    expect(maskArgv(['http', '--auth', 'user:pass'])).toEqual(['http', '--auth', '***'])
  })

  it('does not treat the first element as a value and leaves plain argv unchanged', () => {
    expect(maskArgv(['--token'])).toEqual(['--token'])
    expect(maskArgv([])).toEqual([])
    const argv = ['/usr/bin/node', '/usr/lib/node_modules/openclaw/dist/index.js', 'gateway', '--port', '18789']
    expect(maskArgv(argv)).toEqual(argv)
  })
})

describe('maskConfigSecrets', () => {
  it.each([
    ['   gateway: { mode: "local", auth: { mode: "token", token: "gw-123" } },', '   gateway: { mode: "local", auth: { mode: "token", token: "***" } },'],
    [' models: { providers: { openai: { apiKey: "sk-proj-x" } } },', ' models: { providers: { openai: { apiKey: "***" } } },'],
    ['+  "botToken": "123:abc",', '+  "botToken": "***",'],
    [" privateKey: 'k\\'ey', password: hunter2 }", ' privateKey: "***", password: "***" }'],
    ['-    workspace: "/home/alice/.openclaw/workspace",', '-    workspace: "/home/alice/.openclaw/workspace",'],
    [' auth: {', ' auth: {'],
  ])('%j', (line, masked) => {
    expect(maskConfigSecrets(line)).toBe(masked)
  })
})
