// `ocvm inspect` and `ocvm doctor` over real ssh against namespace hosts, on deployments made by the
// real openclaw CLI (SQLite generation) and from the 2026.2.19 layout (JSONL generation).
import {chmodSync, cpSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import type {Inventory} from '../../src/deployment/types.js'
import {HostUnreachableError, MissingToolError} from '../../src/errors.js'
import {createRunner} from '../../src/exec/runner.js'
import {parseHostSpec} from '../../src/hosts/host-spec.js'
import {ShellPool} from '../../src/hosts/shell.js'
import {chownTree, DST, hostFsPath, infra, REPO_ROOT, runOcvm, sshCheck, sshExec, SRC, resetHosts} from '../infra/hosts.js'

// Each file starts from fresh hosts: no deployment left over from another file.
beforeAll(resetHosts)

const TOKEN_IN_UNIT = 'unit-embedded-gateway-token-7f3a9c'
const SECRET_IN_ENV_FILE = 'sk-ant-api03-integration-secret-value'
const SECRET_IN_CRONTAB = 'github_pat_crontab-secret-value-42'

const parse = (stdout: string) => JSON.parse(stdout) as Inventory

describe('inspect a deployment created by the real openclaw CLI (SQLite generation)', () => {
  beforeAll(async () => {
    // alice runs `openclaw setup --baseline` on ocvm-src, as a user would.
    await sshCheck(SRC, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1 && test -f ~/.openclaw/openclaw.json', {user: 'alice', timeoutMs: 120_000})
  }, 180_000)

  it('finds it over ssh as the user, with version, layout and components', async () => {
    const r = await runOcvm(['inspect', '--from', `alice@${SRC}`, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const inv = parse(r.stdout)
    expect(inv.host).toBe(`ssh://alice@${SRC}`)
    expect(inv.stateDir).toBe('/home/alice/.openclaw')
    expect(inv.version).toMatchObject({config: '2026.9.6', cli: '2026.9.6'})
    expect(inv.layout).toEqual({generation: 'sqlite', evidence: 'state/openclaw.sqlite exists'})
    const ids = inv.components.filter((c) => c.present).map((c) => c.id)
    expect(ids).toEqual(expect.arrayContaining(['config', 'workspace:main', 'state-db']))
    expect(inv.agents).toEqual([expect.objectContaining({id: 'main', isDefault: true, workspace: '/home/alice/.openclaw/workspace', workspaceExists: true})])
    expect(inv.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('finds the same deployment as root with --user', async () => {
    const r = await runOcvm(['inspect', '--from', `root@${SRC}`, '--user', 'alice', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(parse(r.stdout)).toMatchObject({user: 'alice', stateDir: '/home/alice/.openclaw'})
  })

  it('sees a running gateway (live SQLite)', async () => {
    // Loopback and a token: without them the gateway refuses to start in a container (openclaw.md §2).
    await sshCheck(SRC, 'cd ~ && openclaw config set gateway.bind loopback >/dev/null && openclaw config set gateway.auth.token ocvm-it-token-0123456789abcdef >/dev/null', {user: 'alice', timeoutMs: 60_000})
    await sshCheck(SRC, 'cd ~ && (nohup openclaw gateway run --port 18789 >/tmp/ocvm-it-gw.log 2>&1 &) ; sleep 1', {user: 'alice'})
    try {
      const r = await runOcvm(['inspect', '--from', `alice@${SRC}`, '--json'])
      const inv = parse(r.stdout)
      expect(inv.gateway.running).toBe(true)
      expect(inv.gateway.processes[0]?.user).toBe('alice')
      expect(inv.findings.map((f) => f.code)).toContain('gateway-running')
    } finally {
      await sshExec(SRC, "pkill -u alice -f 'openclaw.*gateway' ; true", {user: 'alice'})
    }
  })
})

describe('inspect the 2026.2.x layout with a systemd unit, secrets file, log rotation and a large WhatsApp store', () => {
  beforeAll(async () => {
    const home = hostFsPath(DST, '/home/bob')
    cpSync(path.join(REPO_ROOT, 'examples/sample-deployment/home/alice'), home, {recursive: true})
    const store = path.join(home, '.openclaw/credentials/whatsapp/default')
    for (let i = 0; i < 3000; i++) writeFileSync(path.join(store, `session-${i}.json`), `{"id":${i}}`)
    // bob's workspace path in the sample config is ~-relative, so it follows the home.
    chownTree(home, 'bob')
    chmodSync(path.join(home, '.openclaw'), 0o700)

    const etc = hostFsPath(DST, '/etc/openclaw')
    writeFileSync(path.join(etc, 'secrets.env'), `ANTHROPIC_API_KEY=${SECRET_IN_ENV_FILE}\nGITHUB_TOKEN=not-configured\nOPENROUTER_API_KEY=\n`, {mode: 0o600})
    writeFileSync(hostFsPath(DST, '/etc/systemd/system/openclaw-gateway.service'), [
      '[Unit]', 'Description=OpenClaw Gateway', 'After=network-online.target', '',
      '[Service]', 'User=bob', 'Group=bob',
      'ExecStart=/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789',
      'Environment=HOME=/home/bob', 'Environment=OPENCLAW_HOME=/home/bob', 'Environment=OPENCLAW_GATEWAY_PORT=18789',
      `Environment="OPENCLAW_GATEWAY_TOKEN=${TOKEN_IN_UNIT}"`,
      'EnvironmentFile=/etc/openclaw/secrets.env',
      'StandardOutput=append:/home/bob/.openclaw/logs/gateway.log', 'StandardError=append:/home/bob/.openclaw/logs/gateway.err.log',
      '', '[Install]', 'WantedBy=multi-user.target', '',
    ].join('\n'))
    writeFileSync(hostFsPath(DST, '/etc/logrotate.d/openclaw'), '/home/bob/.openclaw/logs/*.log {\n    weekly\n    rotate 4\n    compress\n    missingok\n    notifempty\n}\n')
    const crontab = [
      `GITHUB_TOKEN=${SECRET_IN_CRONTAB}`,
      '0 3 * * * find /home/bob/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete',
      '0 0 * * * cd /home/bob/.openclaw/workspaces/main && git add -A && git commit -m backup && git push',
      '',
    ].join('\n')
    await sshCheck(DST, 'crontab -u bob -', {input: crontab})
  })

  it('reports components, services, schedules and secret names only, even with --verbose', async () => {
    const r = await runOcvm(['inspect', '--from', `root@${DST}`, '--user', 'bob', '--json', '--verbose'])
    expect(r.exitCode, r.stderr).toBe(0)
    const inv = parse(r.stdout)
    expect(inv).toMatchObject({user: 'bob', home: '/home/bob', stateDir: '/home/bob/.openclaw', layout: {generation: 'jsonl'}})
    const byId = new Map(inv.components.map((c) => [c.id, c]))
    expect(byId.get('whatsapp:default')?.fileCount).toBe(3041)
    expect(byId.get('workspace:search')).toMatchObject({paths: ['/home/bob/research-ws/search'], outsideStateDir: true})
    expect(byId.get('services')).toMatchObject({present: true, treatment: 'recreate', paths: ['/etc/systemd/system/openclaw-gateway.service']})
    expect(byId.get('schedules')).toMatchObject({present: true, paths: ['crontab:bob', '/etc/logrotate.d/openclaw']})
    expect(inv.schedules.find((t) => t.kind === 'crontab')).toMatchObject({
      source: 'crontab:bob',
      envKeys: ['GITHUB_TOKEN'],
      purpose: ['session-pruning', 'workspace-git-sync'],
    })
    expect(inv.services[0]).toMatchObject({kind: 'systemd-unit', runAs: 'bob', environmentFiles: ['/etc/openclaw/secrets.env'], env: {HOME: '/home/bob', OPENCLAW_GATEWAY_PORT: '18789'}})
    const secrets = Object.fromEntries(inv.secrets.map((s) => [s.name, s.state]))
    expect(secrets).toMatchObject({ANTHROPIC_API_KEY: 'set', GITHUB_TOKEN: 'placeholder', OPENROUTER_API_KEY: 'empty', OPENCLAW_GATEWAY_TOKEN: 'set', BRAVE_API_KEY: 'empty'})
    expect(inv.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['empty-env', 'placeholder-allow-from', 'plugin-dir-mismatch']))
    // --verbose printed the commands ocvm ran: still no secret values anywhere.
    expect(r.stderr).toContain('$ ssh')
    for (const secret of [TOKEN_IN_UNIT, SECRET_IN_ENV_FILE, SECRET_IN_CRONTAB, 'sample-gateway-token-not-a-real-secret']) {
      expect(r.stdout).not.toContain(secret)
      expect(r.stderr).not.toContain(secret)
    }
  })

  it('permission denied is a clear error naming the host and the path', async () => {
    const r = await runOcvm(['inspect', '--from', `alice@${DST}`, '--state-dir', '/home/bob/.openclaw'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr, r.stderr).toContain(`Error: permission denied reading /home/bob/.openclaw on ssh://alice@${DST}`)
    expect(r.stderr).toMatch(/^Hint: Connect as the deployment's owner/m)
  })

  it('a state dir behind a home we may not search is permission denied too, not "no deployment"', async () => {
    const home = hostFsPath(DST, '/home/bob')
    chmodSync(home, 0o700)
    try {
      const r = await runOcvm(['inspect', '--from', `alice@${DST}`, '--state-dir', '/home/bob/.openclaw'])
      expect(r.exitCode).toBe(1)
      expect(r.stderr, r.stderr).toContain(`Error: permission denied reading /home/bob/.openclaw on ssh://alice@${DST}`)
    } finally {
      chmodSync(home, 0o755)
    }
  })

  it('no deployment for a user without one', async () => {
    const r = await runOcvm(['inspect', '--from', `root@${SRC}`, '--user', 'bob'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain(`Error: no OpenClaw deployment found on ssh://root@${SRC} (looked in /home/bob/.openclaw, /home/bob/.clawdbot`)
  })
})

describe('host problems are clear errors naming the host and the fix', () => {
  it('unreachable (nothing listens on that port)', async () => {
    const r = await runOcvm(['inspect', '--from', 'ssh://root@10.250.0.2:2222'])
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: cannot reach ssh://root@10.250.0.2:2222: connection refused')
    expect(r.stderr).toMatch(/^Hint: Check that ssh:\/\/root@10.250.0.2:2222 is up/m)
  })

  it('authentication failure (no key accepted for that user)', async () => {
    const r = await runOcvm(['doctor', '--on', `ocvm-nouser@${SRC}`, '--json'])
    expect(r.exitCode).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({status: 'failed', error: {code: 'host-auth', host: `ssh://ocvm-nouser@${SRC}`}})
  })

  it('a command missing on the remote host', async () => {
    const pool = new ShellPool({runner: createRunner(), ssh: {configFile: infra().sshConfig}})
    try {
      const shell = pool.get(parseHostSpec(SRC))
      const error = await shell.exec(['ocvm-no-such-tool', '--version']).catch((e: unknown) => e)
      expect(error).toBeInstanceOf(MissingToolError)
      expect((error as MissingToolError).message).toBe(`\`ocvm-no-such-tool\` is not installed (or not on PATH) on ssh://${SRC}`)
      // The same pool reaches the host again over its multiplexed connection.
      expect((await shell.exec(['id', '-un'])).stdout.trim()).toBe('root')
      const unreachable = await pool.get(parseHostSpec('ssh://root@10.250.0.3:2222')).exec(['true']).catch((e: unknown) => e)
      expect(unreachable).toBeInstanceOf(HostUnreachableError)
    } finally {
      await pool.closeAll()
    }
  })
})

describe('doctor over ssh', () => {
  it('reports tools, OpenClaw and disk on a namespace host', async () => {
    const r = await runOcvm(['doctor', '--on', SRC, '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const result = JSON.parse(r.stdout) as {host: string; checks: Array<{name: string; status: string; detail: string}>}
    expect(result.host).toBe(`ssh://${SRC}`)
    const checks = Object.fromEntries(result.checks.map((c) => [c.name, c]))
    expect(checks.reachable?.status).toBe('ok')
    expect(checks.openclaw).toMatchObject({status: 'ok', detail: expect.stringContaining('2026.9.6')})
    expect(checks.tar?.status).toBe('ok')
    expect(checks.disk?.detail).toMatch(/free in \/root/)
  })
})
