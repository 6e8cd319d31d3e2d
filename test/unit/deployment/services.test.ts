import {describe, expect, it} from 'vitest'

import {buildPlist} from '../../../src/deployment/plist.js'
import {parseLaunchdPlist, parseSystemdUnit} from '../../../src/deployment/services.js'
import {REDACTED, Redactor} from '../../../src/exec/redactor.js'

// phase-6-deployment.md (Linux): a system unit with secrets in /etc/openclaw/secrets.env.
const GUIDE_UNIT = `[Unit]
Description=OpenClaw Gateway
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=openclaw
Group=openclaw
ExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789
Restart=always
RestartSec=5

# Hardening
NoNewPrivileges=true
PrivateTmp=yes
ProtectSystem=strict
ReadWritePaths=/home/openclaw/.openclaw

Environment=HOME=/home/openclaw
Environment=OPENCLAW_HOME=/home/openclaw
Environment=OPENCLAW_GATEWAY_PORT=18789
EnvironmentFile=/etc/openclaw/secrets.env

StandardOutput=append:/home/openclaw/.openclaw/logs/gateway.log
StandardError=append:/home/openclaw/.openclaw/logs/gateway.err.log

[Install]
WantedBy=multi-user.target
`

describe('parseSystemdUnit', () => {
  it("reads the guide's gateway unit", () => {
    const redactor = new Redactor()
    const unit = parseSystemdUnit(GUIDE_UNIT, '/etc/systemd/system/openclaw-gateway.service', 'system', redactor)
    expect(unit).toEqual({
      kind: 'systemd-unit',
      path: '/etc/systemd/system/openclaw-gateway.service',
      name: 'openclaw-gateway.service',
      scope: 'system',
      runAs: 'openclaw',
      env: {HOME: '/home/openclaw', OPENCLAW_HOME: '/home/openclaw', OPENCLAW_GATEWAY_PORT: '18789'},
      secretKeys: [],
      environmentFiles: ['/etc/openclaw/secrets.env'],
      command: ['/usr/bin/node', '/usr/lib/node_modules/openclaw/dist/index.js', 'gateway', '--port', '18789'],
      logPaths: ['/home/openclaw/.openclaw/logs/gateway.log', '/home/openclaw/.openclaw/logs/gateway.err.log'],
    })
    expect(unit.instance).toBeUndefined()
    expect(redactor.size).toBe(0)
  })

  it('keeps inline secrets out of the result, registers them, and keeps their names', () => {
    const SECRET = 's3cr3t-token-value'
    const INLINE = 'abcdef123456'
    const text = `[Service]
User=openclaw
Environment="OPENCLAW_GATEWAY_TOKEN=${SECRET}" "OPENCLAW_STATE_DIR=/home/openclaw/.openclaw work"
Environment=ANTHROPIC_API_KEY=sk-ant-api03-zzzzzzzz PATH=/usr/bin:/bin
Environment=EMPTY_KEY=
Environment=BRAVE_API_KEY=not-configured
ExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789 --token ${INLINE}
EnvironmentFile=-/etc/openclaw/secrets.env
`
    const redactor = new Redactor()
    const unit = parseSystemdUnit(text, '/home/openclaw/.config/systemd/user/openclaw-gateway.service', 'user', redactor)
    const json = JSON.stringify(unit)
    for (const secret of [SECRET, INLINE, 'sk-ant-api03-zzzzzzzz']) expect(json).not.toContain(secret)
    expect(unit.secretKeys).toEqual([
      {name: 'OPENCLAW_GATEWAY_TOKEN', value: 'set'},
      {name: 'ANTHROPIC_API_KEY', value: 'set'},
      {name: 'EMPTY_KEY', value: 'empty'},
      {name: 'BRAVE_API_KEY', value: 'placeholder'},
    ])
    expect(unit.env).toEqual({OPENCLAW_STATE_DIR: '/home/openclaw/.openclaw work', PATH: '/usr/bin:/bin'})
    expect(unit.command.slice(-2)).toEqual(['--token', '***'])
    expect(unit.environmentFiles).toEqual(['/etc/openclaw/secrets.env'])
    expect(unit.scope).toBe('user')

    // Registered: they are removed from anything printed later (ps output, stderr, …).
    expect(redactor.redact(`token=${SECRET}`)).toBe(`token=${REDACTED}`)
    expect(redactor.redact(`--token ${INLINE}`)).toBe(`--token ${REDACTED}`)
    expect(redactor.redact('sk-ant-api03-zzzzzzzz')).toBe(REDACTED)
    // The placeholder is not a secret: it must stay readable.
    expect(redactor.redact('BRAVE_API_KEY is not-configured')).toBe('BRAVE_API_KEY is not-configured')
    expect(redactor.size).toBe(3)
  })

  it('masks and registers --token=VALUE and VAR=VALUE forms in ExecStart', () => {
    const redactor = new Redactor()
    const unit = parseSystemdUnit(
      'ExecStart=/usr/bin/env OPENCLAW_GATEWAY_TOKEN=tok-123456789 /usr/bin/openclaw gateway --token=abc-987654321 --auth token\n',
      '/etc/systemd/system/openclaw.service', 'system', redactor,
    )
    expect(unit.command).toEqual(['/usr/bin/env', 'OPENCLAW_GATEWAY_TOKEN=***', '/usr/bin/openclaw', 'gateway', '--token=***', '--auth', 'token'])
    expect(redactor.redact('tok-123456789 abc-987654321')).toBe(`${REDACTED} ${REDACTED}`)
    expect(redactor.size).toBe(2)
  })

  it('keeps the gateway auth mode (--auth password is a mode, not a credential)', () => {
    const redactor = new Redactor()
    const unit = parseSystemdUnit('ExecStart=/usr/bin/openclaw gateway --auth password --password hunter2-hunter2\n', '/etc/systemd/system/openclaw.service', 'system', redactor)
    expect(unit.command).toEqual(['/usr/bin/openclaw', 'gateway', '--auth', 'password', '--password', '***'])
    expect(redactor.redact('the password is hunter2-hunter2')).toBe(`the password is ${REDACTED}`)
  })

  it('strips ExecStart prefixes and skips comments', () => {
    const unit = parseSystemdUnit('; comment\n# ExecStart=/bin/false\nExecStart=-/usr/bin/openclaw gateway\n', '/etc/systemd/system/openclaw.service', 'system', new Redactor())
    expect(unit.command).toEqual(['/usr/bin/openclaw', 'gateway'])
  })

  it('takes the profile instance from openclaw-gateway-<profile>', () => {
    const unit = parseSystemdUnit(GUIDE_UNIT, '/etc/systemd/system/openclaw-gateway-work.service', 'system', new Redactor())
    expect(unit.instance).toBe('work')
    expect(unit.name).toBe('openclaw-gateway-work.service')
  })

  it('recognises timers', () => {
    const unit = parseSystemdUnit('[Timer]\nOnCalendar=daily\n', '/etc/systemd/system/openclaw-prune.timer', 'system', new Redactor())
    expect(unit.kind).toBe('systemd-timer')
    expect(unit.command).toEqual([])
  })
})

// phase-6-deployment.md (macOS LaunchDaemon).
const GUIDE_ENV = {
  HOME: '/Users/openclaw',
  OPENCLAW_HOME: '/Users/openclaw',
  PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin',
  OPENCLAW_GATEWAY_PORT: '18789',
  DOCKER_HOST: 'unix:///var/run/docker.sock',
  OPENCLAW_GATEWAY_TOKEN: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  ANTHROPIC_API_KEY: 'sk-ant-api03-AAAAAAAAAAAAAAAA',
  BRAVE_API_KEY: 'BSA-brave-key-value',
  GITHUB_TOKEN: 'github_pat_11AAAAAAA0bbbbbbbbbbbb',
  OPENCLAW_SERVICE_MARKER: 'openclaw',
  OPENCLAW_SERVICE_KIND: 'gateway',
}
const GUIDE_DAEMON = {
  Label: 'ai.openclaw.gateway',
  UserName: 'openclaw',
  GroupName: 'staff',
  RunAtLoad: true,
  KeepAlive: true,
  ProgramArguments: ['/opt/homebrew/bin/node', '/opt/homebrew/lib/node_modules/openclaw/dist/index.js', 'gateway', '--port', '18789'],
  EnvironmentVariables: GUIDE_ENV,
  StandardOutPath: '/Users/openclaw/.openclaw/logs/gateway.log',
  StandardErrorPath: '/Users/openclaw/.openclaw/logs/gateway.err.log',
}
const SECRET_VALUES = [GUIDE_ENV.OPENCLAW_GATEWAY_TOKEN, GUIDE_ENV.ANTHROPIC_API_KEY, GUIDE_ENV.BRAVE_API_KEY, GUIDE_ENV.GITHUB_TOKEN]

describe('parseLaunchdPlist', () => {
  it("reads the guide's LaunchDaemon: secret names kept, values gone", () => {
    const redactor = new Redactor()
    const file = '/Library/LaunchDaemons/ai.openclaw.gateway.plist'
    const service = parseLaunchdPlist(buildPlist(GUIDE_DAEMON), file, 'launch-daemon', redactor)
    expect(service).toEqual({
      kind: 'launch-daemon',
      path: file,
      name: 'ai.openclaw.gateway',
      scope: 'system',
      runAs: 'openclaw',
      env: {
        HOME: '/Users/openclaw',
        OPENCLAW_HOME: '/Users/openclaw',
        PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin',
        OPENCLAW_GATEWAY_PORT: '18789',
        DOCKER_HOST: 'unix:///var/run/docker.sock',
        OPENCLAW_SERVICE_MARKER: 'openclaw',
        OPENCLAW_SERVICE_KIND: 'gateway',
      },
      secretKeys: [
        {name: 'OPENCLAW_GATEWAY_TOKEN', value: 'set'},
        {name: 'ANTHROPIC_API_KEY', value: 'set'},
        {name: 'BRAVE_API_KEY', value: 'set'},
        {name: 'GITHUB_TOKEN', value: 'set'},
      ],
      environmentFiles: [],
      command: GUIDE_DAEMON.ProgramArguments,
      logPaths: ['/Users/openclaw/.openclaw/logs/gateway.log', '/Users/openclaw/.openclaw/logs/gateway.err.log'],
    })
    const json = JSON.stringify(service)
    for (const secret of SECRET_VALUES) {
      expect(json).not.toContain(secret)
      expect(redactor.redact(`x ${secret} y`)).toBe(`x ${REDACTED} y`)
    }
  })

  it('marks an empty value as empty and "not-configured" as placeholder', () => {
    const redactor = new Redactor()
    const xml = buildPlist({...GUIDE_DAEMON, EnvironmentVariables: {HOME: '/Users/openclaw', BRAVE_API_KEY: '', GITHUB_TOKEN: 'not-configured'}})
    const service = parseLaunchdPlist(xml, '/Library/LaunchDaemons/ai.openclaw.gateway.plist', 'launch-daemon', redactor)
    expect(service?.secretKeys).toEqual([
      {name: 'BRAVE_API_KEY', value: 'empty'},
      {name: 'GITHUB_TOKEN', value: 'placeholder'},
    ])
    expect(redactor.size).toBe(0)
  })

  it('takes the profile instance from the label', () => {
    const parse = (label: string) => parseLaunchdPlist(buildPlist({...GUIDE_DAEMON, Label: label}), `/Library/LaunchDaemons/${label}.plist`, 'launch-daemon', new Redactor())
    expect(parse('ai.openclaw.gateway.work')?.instance).toBe('work')
    expect(parse('ai.openclaw.work')?.instance).toBe('work')
    expect(parse('ai.openclaw.gateway')?.instance).toBeUndefined()
  })

  it('handles a LaunchAgent without a label, env or user', () => {
    const xml = buildPlist({ProgramArguments: ['/usr/local/bin/openclaw', 'gateway', '--token', 'abcdef123456']})
    const service = parseLaunchdPlist(xml, '/Users/openclaw/Library/LaunchAgents/ai.openclaw.gateway.plist', 'launch-agent', new Redactor())
    expect(service).toMatchObject({name: 'ai.openclaw.gateway', scope: 'user', kind: 'launch-agent', env: {}, secretKeys: [], logPaths: []})
    expect(service?.command).toEqual(['/usr/local/bin/openclaw', 'gateway', '--token', '***'])
    expect(service?.runAs).toBeUndefined()
  })

  it('returns undefined for something that is not a plist dict', () => {
    expect(parseLaunchdPlist('bplist00\u0000\u0001garbage', '/x.plist', 'launch-daemon', new Redactor())).toBeUndefined()
    expect(parseLaunchdPlist(buildPlist(['a']), '/x.plist', 'launch-daemon', new Redactor())).toBeUndefined()
    expect(parseLaunchdPlist('', '/x.plist', 'launch-daemon', new Redactor())).toBeUndefined()
  })
})
