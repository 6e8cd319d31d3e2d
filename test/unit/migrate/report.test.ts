import {describe, expect, it} from 'vitest'

import {migrationReport} from '../../../src/migrate/report.js'
import type {MigrationResult} from '../../../src/migrate/types.js'
import type {HookReport} from '../../../src/postmigrate/engine.js'

const hook = (id: string, status: HookReport['status'], changed: string[] = []): HookReport => ({id, description: '', onError: 'continue', status, changed, details: [], actions: [], durationMs: 1})

function result(over: Partial<MigrationResult> = {}): MigrationResult {
  return {
    runId: 'RUN', status: 'ok', dryRun: false,
    source: {
      host: 'ssh://mac', user: 'carol', group: 'staff', os: 'macos', home: '/Users/carol', stateDir: '/Users/carol/.openclaw', configPath: '/Users/carol/.openclaw/openclaw.json', configFiles: [], layout: 'sqlite',
      services: [{kind: 'launch-daemon', path: '/Library/LaunchDaemons/ai.openclaw.gateway.plist', name: 'ai.openclaw.gateway', scope: 'system', runAs: 'carol', env: {}, secretKeys: [{name: 'ANTHROPIC_API_KEY', value: 'set'}], environmentFiles: [], command: [], logPaths: []}],
      schedules: [{kind: 'newsyslog', source: '/etc/newsyslog.d/openclaw.conf', lines: [], envKeys: [], purpose: ['log-rotation']}],
    },
    target: {host: 'ssh://server', user: 'bob', group: 'bob', os: 'linux', home: '/home/bob', stateDir: '/home/bob/.openclaw'},
    roots: [{label: 'state dir', source: '/Users/carol/.openclaw', target: '/home/bob/.openclaw', bytes: 0, files: 0}],
    steps: [], changes: [{file: '/home/bob/.openclaw/openclaw.json', key: 'agents.defaults.workspace', from: '/Users/carol/.openclaw/workspace', to: '/home/bob/.openclaw/workspace'}],
    quarantined: [], retargeted: [{file: '/home/bob/.openclaw/openclaw.json', key: 'memory.search.store.vector.extensionPath', from: '/opt/homebrew/x/vec0.dylib', action: 'clear'}],
    diffs: [], transfer: {bytes: 2048, files: 12, wireBytes: 900, seconds: 1, resumedFiles: 0},
    nextSteps: ['The source gateway stopped with launchctl bootout system/ai.openclaw.gateway and its state is untouched; …', 'Signal does not transfer: signal-cli link -n "OpenClaw" on the target and scan the QR code.', '[ocvm/tailscale] failed: tailscale is not installed'],
    warnings: [],
    hooks: {status: 'partial', host: 'ssh://server', os: 'linux', osName: 'Debian GNU/Linux 12', dryRun: false, hooks: [
      hook('ocvm/secrets', 'changed', ['ANTHROPIC_API_KEY: written to /etc/openclaw/secrets.env']),
      hook('ocvm/extensions', 'changed', ['npm install in /home/bob/.openclaw/extensions/web-guard']),
      hook('ocvm/memory-index', 'changed', ['memory index rebuilt']),
      hook('ocvm/services', 'changed', ['JAVA_HOME: /opt/homebrew/opt/openjdk@21 on the source -> /usr/lib/jvm/java-21 (Java 21), found on this host', 'systemctl enable openclaw-gateway.service']),
      hook('ocvm/schedules', 'changed', ['/etc/logrotate.d/openclaw (rotates /home/bob/.openclaw/logs/*.log)', 'crontab of bob: 0 3 * * * find /home/bob/.openclaw/agents/*/sessions -delete']),
      hook('ocvm/tailscale', 'failed'),
    ]},
    ...over,
  }
}

describe('migrationReport', () => {
  it('sorts a macOS -> Linux run into moved, rebuilt, translated and manual', () => {
    const report = migrationReport(result())
    expect(report.moved).toEqual(['state dir: /Users/carol/.openclaw -> /home/bob/.openclaw', '12 files, 2048 bytes, each verified with SHA-256 before activation'])
    expect(report.rebuilt).toEqual([
      'memory search index: rebuilt on the target with openclaw memory index --force',
      'plugin node_modules: not copied (native parts are per platform), npm install in /home/bob/.openclaw/extensions/web-guard',
      expect.stringMatching(/^memory\.search\.store\.vector\.extensionPath in .*cleared/),
    ])
    expect(report.translated).toEqual([
      'macOS -> Linux',
      'home /Users/carol -> /home/bob: 1 path value(s) rewritten in 1 file(s)',
      'owner carol:staff -> bob:bob',
      'service: LaunchDaemon ai.openclaw.gateway -> systemd unit generated for the target (never copied)',
      'service environment: JAVA_HOME: /opt/homebrew/opt/openjdk@21 on the source -> /usr/lib/jvm/java-21 (Java 21), found on this host',
      'secrets: ai.openclaw.gateway EnvironmentVariables -> a root-only EnvironmentFile (values entered on the target, never copied)',
      'log rotation: newsyslog /etc/newsyslog.d/openclaw.conf -> /etc/logrotate.d/openclaw (rotates /home/bob/.openclaw/logs/*.log)',
      'crontab of bob: 0 3 * * * find /home/bob/.openclaw/agents/*/sessions -delete',
    ])
    expect(report.manual).toEqual([expect.stringMatching(/^Signal does not transfer/), '[ocvm/tailscale] failed: tailscale is not installed'])
  })

  it('claims nothing for hooks that did not run or failed', () => {
    const report = migrationReport(result({hooks: undefined, retargeted: []}))
    expect(report.rebuilt).toEqual([])
    expect(report.translated).toEqual(['macOS -> Linux', 'home /Users/carol -> /home/bob: 1 path value(s) rewritten in 1 file(s)', 'owner carol:staff -> bob:bob'])
  })
})
