import {describe, expect, it} from 'vitest'

import {parsePlist} from '../../../src/deployment/plist.js'
import {logrotateConfig, newsyslogConfig, translateCron} from '../../../src/postmigrate/schedule-definitions.js'
import {launchDaemonPlist, servicePath, systemdUnit, unitProblems, type ServiceSpec} from '../../../src/postmigrate/service-definitions.js'

const SPEC: ServiceSpec = {
  name: 'openclaw-gateway.service', user: 'openclaw', group: 'openclaw', home: '/home/openclaw', stateDir: '/home/openclaw/.openclaw',
  configPath: '/home/openclaw/.openclaw/openclaw.json', port: 18789, openclaw: '/usr/local/bin/openclaw', path: '/usr/local/bin:/usr/bin:/bin',
  logDir: '/home/openclaw/.openclaw/logs', secretsFile: '/etc/openclaw/secrets.env',
}

describe('systemd unit', () => {
  const unit = systemdUnit(SPEC)
  const lines = unit.split('\n')

  it('runs the gateway as the user, from its home, secrets only through the EnvironmentFile', () => {
    expect(lines).toEqual(expect.arrayContaining([
      'User=openclaw', 'Group=openclaw', 'WorkingDirectory=/home/openclaw', 'EnvironmentFile=/etc/openclaw/secrets.env',
      'ExecStart=/usr/local/bin/openclaw gateway run', 'Environment=OPENCLAW_STATE_DIR=/home/openclaw/.openclaw', 'Environment=OPENCLAW_GATEWAY_PORT=18789',
      'StandardOutput=append:/home/openclaw/.openclaw/logs/gateway.log', 'StandardError=append:/home/openclaw/.openclaw/logs/gateway.err.log',
      'NoNewPrivileges=true', 'WantedBy=multi-user.target',
    ]))
    expect(unit).not.toMatch(/TOKEN|API_KEY/)
  })

  it('names a profile instance and quotes values with spaces', () => {
    const u = systemdUnit({...SPEC, name: 'openclaw-gateway-work.service', instance: 'work', port: 18800, home: '/home/my user'})
    expect(u).toContain('Description=OpenClaw gateway (work) for openclaw')
    expect(u).toContain('Environment=OPENCLAW_PROFILE=work')
    expect(u).toContain('Environment="HOME=/home/my user"')
  })

  it('picks our unit\'s lines out of systemd-analyze verify output (captured on Debian 12)', () => {
    const stderr = '/tmp/x/openclaw-gateway.service:12: Failed to parse service restart specifier, ignoring: sometimes\nsome-other.service: Unit not found\n'
    expect(unitProblems(stderr, 'openclaw-gateway.service')).toEqual(['openclaw-gateway.service:12: Failed to parse service restart specifier, ignoring: sometimes'])
  })

  it('puts the CLI\'s dir and the docker CLI\'s dir on PATH, once', () => {
    expect(servicePath('/opt/node/bin/openclaw', ['/usr/local/bin'], 'linux')).toBe('/opt/node/bin:/usr/local/bin:/usr/bin:/bin')
    expect(servicePath('/opt/homebrew/bin/openclaw', ['/usr/local/bin'], 'macos')).toBe('/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin')
  })
})

describe('LaunchDaemon plist', () => {
  it('is a valid plist with the guide\'s keys and no secrets', () => {
    const xml = launchDaemonPlist({...SPEC, name: 'ai.openclaw.gateway', home: '/Users/openclaw', group: 'staff', logDir: '/Users/openclaw/.openclaw/logs', openclaw: '/opt/homebrew/bin/openclaw', path: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin'})
    expect(parsePlist(xml)).toMatchObject({
      Label: 'ai.openclaw.gateway', UserName: 'openclaw', GroupName: 'staff', WorkingDirectory: '/Users/openclaw',
      ProgramArguments: ['/opt/homebrew/bin/openclaw', 'gateway', 'run'], RunAtLoad: true, KeepAlive: true,
      StandardOutPath: '/Users/openclaw/.openclaw/logs/gateway.log',
      EnvironmentVariables: {HOME: '/Users/openclaw', PATH: '/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin', OPENCLAW_GATEWAY_PORT: '18789'},
    })
  })
})

describe('schedules', () => {
  it('rotates the target\'s log dir', () => {
    expect(logrotateConfig('/home/bob/.openclaw/logs', 'bob', 'bob')).toContain('/home/bob/.openclaw/logs/*.log {\n    su bob bob\n    weekly\n    rotate 4')
    expect(newsyslogConfig('/Users/o/.openclaw/logs', 'o', 'staff')).toContain('/Users/o/.openclaw/logs/gateway.log     o:staff  640  7  1024  *  J')
  })

  it('translates cron paths, drops the cron.d user column, and reports what it cannot recreate', () => {
    const tasks = [
      {kind: 'crontab', source: 'crontab:alice', envKeys: ['GITHUB_TOKEN'], lines: [
        '0 3 * * * find /home/alice/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete',
        '0 0 * * * cd /home/alice/.openclaw/workspace && git add -A && git commit -m backup && git push',
        '5 * * * * curl -H "Authorization: Bearer ***" https://example.com',
      ]},
      {kind: 'cron.d', source: '/etc/cron.d/openclaw', envKeys: [], lines: ['0 4 * * * alice find /tmp/openclaw-image-gen -type f -mtime +7 -delete']},
      {kind: 'logrotate', source: '/etc/logrotate.d/openclaw', envKeys: [], lines: ['/home/alice/.openclaw/logs/*.log {']},
    ]
    const out = translateCron(tasks, [{from: '/home/alice', to: '/home/bob'}])
    expect(out.lines).toEqual([
      '0 3 * * * find /home/bob/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete',
      '0 0 * * * cd /home/bob/.openclaw/workspace && git add -A && git commit -m backup && git push',
      '0 4 * * * find /tmp/openclaw-image-gen -type f -mtime +7 -delete',
    ])
    expect(out.manual).toHaveLength(2)
    expect(out.manual[0]).toMatch(/credential.*Bearer \*\*\*/)
    expect(out.manual[1]).toMatch(/GITHUB_TOKEN/)
  })
})
