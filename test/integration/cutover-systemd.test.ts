// The cutover under a REAL systemd (two systemd-nspawn hosts, test/infra/nspawn.sh): alice's gateway
// runs on ocvm-sd1 as an enabled system unit with Restart=always, and moves to alice on ocvm-sd2,
// whose services hook installs and starts the generated unit there. Then, as a user would:
//   - the source unit is stopped AND disabled; a reboot of the source does not bring it back, so
//     only the moved gateway runs;
//   - `--rollback --yes` stops and disables the target's gateway first, puts the source unit back
//     (enabled, started), waits for its /health and reports rolled-back; a reboot keeps it so;
//   - a unit that is enabled and activating with no gateway process yet (systemd between two
//     starts) is still stopped and disabled: the service manager decides, not the process list.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {systemdUnit} from '../../src/postmigrate/service-definitions.js'
import {runOcvm} from '../infra/hosts.js'
import {hostSpec, rebootSystemdHost, sshOn, startSystemdHost, stopSystemdHost} from '../infra/nspawn.js'

const SRC = 'ocvm-sd1'
const DST = 'ocvm-sd2'
const UNIT = 'openclaw-gateway.service'
const PORT = 18789
const RUNS = mkdtempSync(path.join(tmpdir(), 'ocvm-it-cutover-'))
const env = {OCVM_RUNS_DIR: RUNS}
const HOOKS = 'ocvm/permissions,ocvm/secrets,ocvm/services'

// The source's unit: ocvm's own, with Restart=always, as a user's hardened unit would have.
const sourceUnit = systemdUnit({
  name: UNIT, user: 'alice', group: 'alice', home: '/home/alice', stateDir: '/home/alice/.openclaw',
  configPath: '/home/alice/.openclaw/openclaw.json', port: PORT, openclaw: '/usr/local/bin/openclaw',
  path: '/usr/local/bin:/usr/bin:/bin', logDir: '/home/alice/.openclaw/logs',
}).replace(/^Restart=.*$/m, 'Restart=always').replace(/^RestartSec=.*$/m, 'RestartSec=1').replace(/^EnvironmentFile=.*\n/m, '')

async function sh(host: string, command: string, user?: string, timeoutMs = 60_000): Promise<string> {
  const r = await sshOn(host, command, {user, timeoutMs})
  if (r.exitCode !== 0) throw new Error(`${user ?? 'root'}@${host}: ${command} exited ${r.exitCode}\n${r.stdout}${r.stderr}`)
  return r.stdout.trim()
}

async function unit(host: string): Promise<{active: string; enabled: string}> {
  const [active = '', enabled = ''] = (await sshOn(host, `systemctl is-active ${UNIT}; systemctl is-enabled ${UNIT}`)).stdout.trim().split('\n')
  return {active, enabled}
}

async function healthy(host: string): Promise<boolean> {
  return (await sshOn(host, `curl -s --max-time 3 http://127.0.0.1:${PORT}/health`)).stdout.includes('"ok":true')
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

const gatewayProcesses = async (host: string) => (await sshOn(host, 'pgrep -u alice -f openclaw')).stdout.split('\n').filter(Boolean).length

type Result = {runId: string; status: string; steps: Array<{name: string; detail?: string}>; downtime?: {seconds: number; until: string}; nextSteps: string[]; hooks?: {hooks: Array<{id: string; status: string; error?: unknown}>}}

describe('cutover, rollback and reboots under a real systemd', () => {
  let run: Result

  beforeAll(async () => {
    await Promise.all([startSystemdHost(SRC), startSystemdHost(DST)])
    const gateway = JSON.stringify({mode: 'local', bind: 'loopback', port: PORT, auth: {mode: 'token', token: 'ocvm-it-cutover-token-93b1'}})
    await sh(SRC, 'openclaw setup --baseline >/dev/null 2>&1 && mkdir -p ~/.openclaw/logs && python3 -c ' +
      `'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["gateway"]=json.loads(sys.argv[2]); json.dump(c, open(p, "w"), indent=2)' ` +
      `~/.openclaw/openclaw.json '${gateway}'`, 'alice', 120_000)
    expect((await sshOn(SRC, `cat >/etc/systemd/system/${UNIT}`, {input: sourceUnit})).exitCode).toBe(0)
    await sh(SRC, `systemctl daemon-reload && systemctl enable --now ${UNIT}`)
    await until('the source gateway to answer /health', () => healthy(SRC))
  }, 300_000)

  afterAll(async () => {
    await Promise.all([stopSystemdHost(SRC), stopSystemdHost(DST)])
    rmSync(RUNS, {recursive: true, force: true})
  })

  it('migrate stops AND disables the source unit, proves it down, and the target\'s gateway answers /health', async () => {
    const r = await runOcvm(['migrate', '--from', hostSpec(SRC), '--user', 'alice', '--to', hostSpec(DST), '--target-user', 'alice', '--hooks', HOOKS, '--yes', '--json'], {env, timeoutMs: 600_000})
    expect(r.exitCode, r.stderr.slice(-4000) + r.stdout.slice(-4000)).toBe(0)
    run = JSON.parse(r.stdout) as Result
    expect(run.steps.find((s) => s.name === 'quiesce')?.detail).toBe(`source gateway stopped and disabled (systemd ${UNIT})`)
    expect(await unit(SRC)).toEqual({active: 'inactive', enabled: 'disabled'})
    expect(await gatewayProcesses(SRC)).toBe(0)
    expect(await unit(DST)).toEqual({active: 'active', enabled: 'enabled'})
    expect(await healthy(DST)).toBe(true)
    expect(run.downtime?.until).toBe('target-healthy')
    expect(run.downtime?.seconds).toBeGreaterThan(0)
    expect(run.nextSteps[0]).toBe(`Live now: the gateway on ssh://root@${DST} (it answered /health); only that one runs.`)
  }, 700_000)

  it('a reboot of the source does not bring the old gateway back next to the moved one', async () => {
    await rebootSystemdHost(SRC)
    // Time for a (wrongly) enabled unit to start before looking.
    await new Promise((r) => setTimeout(r, 5000))
    expect(await unit(SRC)).toEqual({active: 'inactive', enabled: 'disabled'})
    expect(await gatewayProcesses(SRC)).toBe(0)
    expect(await healthy(DST)).toBe(true)
  }, 120_000)

  it('--rollback without --yes in a script refuses and says what it would do; with --yes only the source runs afterwards, and stays so after a reboot', async () => {
    const asked = await runOcvm(['migrate', '--rollback', run.runId], {env})
    expect(asked.exitCode).toBe(2)
    expect(asked.stderr).toContain(`Stop and disable alice's gateway on ssh://root@${DST}`)
    expect(await healthy(DST)).toBe(true)

    const r = await runOcvm(['migrate', '--rollback', run.runId, '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    const back = JSON.parse(r.stdout) as Result
    expect(back.status).toBe('rolled-back')
    expect(back.nextSteps).toContain(`Live now: the source gateway on ssh://root@${SRC} (/health answered on port ${PORT}).`)
    expect(await unit(DST)).toEqual({active: 'inactive', enabled: 'disabled'})
    expect(await unit(SRC)).toEqual({active: 'active', enabled: 'enabled'})
    expect(await healthy(SRC)).toBe(true)

    await rebootSystemdHost(SRC)
    await until('the source gateway to come back after the reboot', () => healthy(SRC))
    expect(await unit(DST)).toEqual({active: 'inactive', enabled: 'disabled'})
  }, 400_000)

  it('a unit that is enabled and still starting, with no gateway process yet, is stopped and disabled all the same', async () => {
    // systemd between two starts: the unit is activating, its ExecStartPre still sleeping.
    await sh(SRC, `systemctl stop ${UNIT} && mkdir -p /etc/systemd/system/${UNIT}.d && printf '[Service]\\nExecStartPre=/bin/sleep 20\\n' >/etc/systemd/system/${UNIT}.d/slow.conf && systemctl daemon-reload && systemctl start --no-block ${UNIT}`)
    expect((await unit(SRC)).active).toBe('activating')
    expect(await gatewayProcesses(SRC)).toBe(0)
    const r = await runOcvm(['migrate', '--from', hostSpec(SRC), '--user', 'alice', '--to', hostSpec(DST), '--target-user', 'alice', '--skip-hooks', '--yes', '--json'], {env, timeoutMs: 600_000})
    expect(r.exitCode, r.stderr.slice(-4000)).toBe(0)
    expect((JSON.parse(r.stdout) as Result).steps.find((s) => s.name === 'quiesce')?.detail).toBe(`source gateway stopped and disabled (systemd ${UNIT})`)
    // Past the 20 s the start job would have taken: nothing started. (Its ExecStartPre was killed
    // by the stop, so systemd may call the unit `failed` rather than `inactive`: either is down.)
    await new Promise((res) => setTimeout(res, 22_000))
    const after = await unit(SRC)
    expect(after.enabled).toBe('disabled')
    expect(['inactive', 'failed']).toContain(after.active)
    expect(await gatewayProcesses(SRC)).toBe(0)
  }, 700_000)
})
