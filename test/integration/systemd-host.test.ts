// Proves the systemd-nspawn test host (test/infra/nspawn.sh, nspawn.ts): a real systemd as PID 1,
// reachable over ssh like the other test hosts, running the gateway unit ocvm generates (with
// Restart=always) under real systemd: a killed gateway is restarted, an enabled unit comes back
// after a reboot, a disabled one stays down.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {systemdUnit} from '../../src/postmigrate/service-definitions.js'
import {runOcvm} from '../infra/hosts.js'
import {hostSpec, rebootSystemdHost, sshOn, startSystemdHost, stopSystemdHost, type SystemdHost} from '../infra/nspawn.js'

const NAME = 'ocvm-sd'
const UNIT = 'openclaw-gateway.service'
const PORT = 18789
const TOKEN = 'ocvm-it-systemd-token-5e8d2c7a41'

// The unit ocvm writes on a Linux target, with Restart=always (ocvm's own is on-failure) so that a
// killed gateway must come back.
const unit = systemdUnit({
  name: UNIT,
  user: 'alice',
  group: 'alice',
  home: '/home/alice',
  stateDir: '/home/alice/.openclaw',
  configPath: '/home/alice/.openclaw/openclaw.json',
  port: PORT,
  openclaw: '/usr/local/bin/openclaw',
  path: '/usr/local/bin:/usr/bin:/bin',
  logDir: '/home/alice/.openclaw/logs',
})
  .replace(/^Restart=.*$/m, 'Restart=always')
  .replace(/^RestartSec=.*$/m, 'RestartSec=1')

async function sh(command: string, user?: string, timeoutMs = 60_000): Promise<string> {
  const r = await sshOn(NAME, command, {user, timeoutMs})
  if (r.exitCode !== 0) throw new Error(`${user ?? 'root'}@${NAME}: ${command} exited ${r.exitCode}\n${r.stdout}${r.stderr}`)
  return r.stdout.trim()
}

async function unitProps(): Promise<Record<string, string>> {
  const out = await sh(`systemctl show -p ActiveState,MainPID,NRestarts,UnitFileState ${UNIT}`)
  return Object.fromEntries(out.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

/** GET /health inside the container; the JSON body, or undefined while nothing answers. */
async function health(): Promise<string | undefined> {
  const r = await sshOn(NAME, `curl -s --max-time 3 http://127.0.0.1:${PORT}/health`)
  return r.exitCode === 0 && r.stdout.includes('"ok":true') ? r.stdout.trim() : undefined
}

describe('systemd-nspawn test host', () => {
  let sd: SystemdHost
  const times: string[] = []

  beforeAll(async () => {
    const t0 = Date.now()
    sd = await startSystemdHost(NAME)
    times.push(`boot ${(Date.now() - t0) / 1000} s`)
  })

  afterAll(async () => {
    await stopSystemdHost(NAME)
    console.log(`[systemd-host] ${times.join(', ')}`)
  })

  it('runs a real systemd as PID 1, on its own address on the bridge', async () => {
    expect(sd.ip).toMatch(/^10\.250\.0\.\d+$/)
    expect(await sh('test -d /run/systemd/system && cat /proc/1/comm')).toBe('systemd')
    expect(await sh('systemctl is-system-running')).toMatch(/^(running|degraded)$/)
    expect(await sh('hostname')).toBe(NAME)
    expect(await sh('ip -4 -o addr show host0')).toContain(`inet ${sd.ip}/24`)
  })

  it('alice and bob log in, and alice runs the real openclaw CLI', async () => {
    for (const user of ['alice', 'bob']) expect(await sh('id -un; echo $HOME', user)).toBe(`${user}\n/home/${user}`)
    expect(await sh('openclaw --version', 'alice')).toContain('2026.9.6')
    expect(await sh('for t in tar zstd rsync python3 sudo ps crontab curl; do command -v $t >/dev/null || echo missing $t; done')).toBe('')
  })

  it('runs the gateway unit ocvm generates; systemd restarts a killed gateway', async () => {
    // A deployment made by the real CLI, with a loopback gateway and a token (which the gateway
    // needs to start in a container). One python3 edit is faster than four `openclaw config set`.
    const gateway = JSON.stringify({mode: 'local', bind: 'loopback', port: PORT, auth: {mode: 'token', token: TOKEN}})
    await sh(
      'openclaw setup --baseline >/dev/null 2>&1 && mkdir -p ~/.openclaw/logs && python3 -c ' +
        `'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["gateway"]=json.loads(sys.argv[2]); json.dump(c, open(p, "w"), indent=2)' ` +
        `~/.openclaw/openclaw.json '${gateway}'`,
      'alice',
      120_000,
    )
    await sshOn(NAME, `cat >/etc/systemd/system/${UNIT}`, {input: unit}).then((r) => expect(r.exitCode, r.stderr).toBe(0))
    await sh(`systemctl daemon-reload && systemctl enable --now ${UNIT}`)
    const t0 = Date.now()
    expect(await until('the gateway to answer /health', health)).toContain('"ok":true')
    times.push(`gateway up ${(Date.now() - t0) / 1000} s`)

    const before = await unitProps()
    expect(before).toMatchObject({ActiveState: 'active', UnitFileState: 'enabled'})
    expect(await sh(`ps -o user= -p ${before.MainPID}`)).toBe('alice')
    await sh(`kill -9 ${before.MainPID}`)
    const after = await until('systemd to restart the gateway', async () => {
      const p = await unitProps()
      return p.ActiveState === 'active' && p.MainPID !== '0' && p.MainPID !== before.MainPID ? p : undefined
    })
    expect(Number(after.NRestarts)).toBe(Number(before.NRestarts) + 1)
    await until('the restarted gateway to answer /health', health)
  })

  it('ocvm reaches the host by its spec and sees the running gateway', async () => {
    const r = await runOcvm(['inspect', '--from', hostSpec(NAME), '--user', 'alice', '--json'])
    expect(r.exitCode, r.stderr).toBe(0)
    const inv = JSON.parse(r.stdout) as {host: string; stateDir: string; gateway: {running: boolean}}
    expect(inv).toMatchObject({host: `ssh://root@${NAME}`, stateDir: '/home/alice/.openclaw', gateway: {running: true}})
  })

  it('an enabled unit comes back after a reboot', async () => {
    const bootId = await sh('cat /proc/sys/kernel/random/boot_id')
    const {seconds} = await rebootSystemdHost(NAME)
    times.push(`reboot ${seconds} s`)
    expect(await sh('cat /proc/sys/kernel/random/boot_id')).not.toBe(bootId)
    await until('the gateway to answer /health after the reboot', health)
    expect(await unitProps()).toMatchObject({ActiveState: 'active', UnitFileState: 'enabled', NRestarts: '0'})
  })

  it('a disabled unit stays down after a reboot', async () => {
    await sh(`systemctl disable --now ${UNIT}`)
    expect(await unitProps()).toMatchObject({ActiveState: 'inactive', UnitFileState: 'disabled'})
    const {seconds} = await rebootSystemdHost(NAME)
    times.push(`reboot ${seconds} s`)
    // Give a (wrongly) started unit time to show up before looking.
    await new Promise((r) => setTimeout(r, 3000))
    expect(await unitProps()).toMatchObject({ActiveState: 'inactive', UnitFileState: 'disabled', MainPID: '0'})
    expect(await health()).toBeUndefined()
    // The deployment itself survived both reboots.
    expect(await sh('test -f ~/.openclaw/openclaw.json && echo present', 'alice')).toBe('present')
  })
})
