// ocvm/services on this machine as root. systemd and launchd are the FAKE systemctl and launchctl
// of test/fakes (the unit is still checked by the real systemd-analyze); the gateway they start is
// a strict `openclaw` stub that answers only `gateway run`. Units and plists live under ROOT.
import {existsSync, statSync, symlinkSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {secrets} from '../../../../src/postmigrate/hooks/secrets.js'
import {services} from '../../../../src/postmigrate/hooks/services.js'
import {stubJdk, withTarget, type Target} from './harness.js'

const UNIT = 'openclaw-gateway.service'
const UNIT_FILE = `/etc/systemd/system/${UNIT}`
const SECRETS_FILE = '/etc/openclaw/secrets.env'
const TOKEN = 'f00d'.repeat(16)
const SOURCE_JAVA = '/opt/homebrew/Cellar/openjdk@21/21.0.5/libexec/openjdk.jdk/Contents/Home'

/** The target's programs: the openclaw CLI (the gateway), docker, a Java 21; the secrets file ocvm/secrets leaves. */
function host(t: Target, os: 'linux' | 'macos' = 'linux'): {cli: string; jdk: string; logs: string} {
  const cli = t.stub('openclaw', {'gateway run': 'exec sleep 600'})
  t.stub('docker', {})
  const jdk = stubJdk(t, 21)
  if (os === 'macos') t.stub('java_home', {'-v 21': `echo '${jdk}'`}, t.sys('/usr/libexec'))
  else symlinkSync(path.join(jdk, 'bin/java'), path.join(t.bin, 'java'))
  if (os === 'linux') {
    t.write(t.sys(SECRETS_FILE), `OPENCLAW_GATEWAY_TOKEN="${TOKEN}"\n`)
    t.onCleanup(() => t.shell.exec(['systemctl', 'stop', UNIT], {allowFailure: true}))
  } else {
    const job = 'system/ai.openclaw.gateway'
    t.onCleanup(() => t.shell.script('launchctl bootout "$1" >/dev/null 2>&1; i=0; while launchctl print "$1" >/dev/null 2>&1 && [ $i -lt 100 ]; do i=$((i+1)); sleep 0.1; done', [job], {allowFailure: true}))
  }
  return {cli, jdk, logs: path.join(t.stateDir, 'logs')}
}

const stat = (file: string) => {
  const s = statSync(file)
  return `${(s.mode & 0o777).toString(8)} ${s.uid}:${s.gid}`
}

// systemd-analyze, the fake service managers (bash, Python) and their waits take seconds on a busy machine.
describe('ocvm/services on Linux (FAKE systemctl, real systemd-analyze)', {timeout: 60_000}, () => {
  it('dry run: names the missing unit, log dir, enablement and process; installs and starts nothing', () => withTarget(async (t) => {
    const {logs} = host(t)
    const before = t.snapshot()
    const report = await t.run(services, {dryRun: true})
    expect(report).toMatchObject({status: 'planned', details: [
      `${UNIT_FILE} is missing or not the generated unit`,
      `log dir ${logs} is missing`,
      `${UNIT} is not enabled (Failed to get unit file state for ${UNIT}: No such file or directory)`,
      `${UNIT} is not running (inactive)`,
    ]})
    expect(t.snapshot()).toEqual(before)
    expect(t.stubCalls('systemctl')).toEqual([`is-enabled ${UNIT}`, `is-active ${UNIT}`])
    expect(t.stubCalls('openclaw')).toEqual([])
  }, {root: true, fakes: ['systemctl']}))

  it('generates the unit (never copies one), checks it, enables and starts the gateway; a second run changes nothing', () => withTarget(async (t) => {
    const {cli, logs} = host(t)
    const report = await t.run(services)
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([
      `log dir ${logs} (700, ${t.user})`,
      `${UNIT_FILE} generated and checked with systemd-analyze verify`,
      'systemctl daemon-reload',
      `systemctl enable ${UNIT}`,
      `systemctl restart ${UNIT}`,
    ])
    expect(report.actions).toEqual([])
    const unit = t.read(t.sys(UNIT_FILE))
    expect(stat(t.sys(UNIT_FILE))).toBe('644 0:0')
    expect(unit.split('\n')).toEqual(expect.arrayContaining([
      `User=${t.user}`, `Group=${t.group}`, `WorkingDirectory=${t.home}`, `ExecStart=${cli} gateway run`,
      `Environment=PATH=${t.bin}:/usr/local/bin:/usr/bin:/bin`, `Environment=OPENCLAW_STATE_DIR=${t.stateDir}`, 'Environment=OPENCLAW_GATEWAY_PORT=18789',
      `EnvironmentFile=${t.sys(SECRETS_FILE)}`, `StandardOutput=append:${logs}/gateway.log`,
    ]))
    expect(unit).not.toContain('JAVA_HOME')
    expect([stat(logs), stat(path.join(logs, 'gateway.log')), stat(path.join(logs, 'gateway.err.log'))].map((s) => s.split(' ')[0])).toEqual(['700', '600', '600'])
    expect(t.stubCalls('systemctl')).toEqual(expect.arrayContaining(['daemon-reload', `enable ${UNIT}`, `restart ${UNIT}`]))
    // The service manager started the gateway (in the background: give it a moment to show).
    for (let i = 0; i < 100 && t.stubCalls('openclaw').length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    expect(t.stubCalls('openclaw')).toEqual(['gateway run'])
    // The service reads the secrets file itself: its values never pass through ocvm.
    expect(t.leaks(TOKEN, report)).toEqual([])

    const after = t.snapshot()
    const again = await t.run(services)
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
    expect(t.stubCalls('openclaw')).toEqual(['gateway run'])
  }, {root: true, fakes: ['systemctl']}))

  it('re-detects what was host-specific in the source\'s service (PATH, a pinned JAVA_HOME) and says so', () => withTarget(async (t) => {
    const {jdk} = host(t)
    const options = {source: {host: 'mac-mini', serviceEnv: {PATH: '/opt/homebrew/bin:/usr/bin:/bin', JAVA_HOME: SOURCE_JAVA}}}
    const report = await t.run(services, {options})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed.slice(0, 2)).toEqual([
      `PATH: /opt/homebrew/bin:/usr/bin:/bin on the source -> ${t.bin}:/usr/local/bin:/usr/bin:/bin, generated for this host`,
      `JAVA_HOME: ${SOURCE_JAVA} on the source -> ${jdk} (Java 21), found on this host`,
    ])
    expect(t.read(t.sys(UNIT_FILE))).toContain(`Environment=JAVA_HOME=${jdk}\n`)
  }, {root: true, fakes: ['systemctl']}))

  it('without the openclaw CLI it fails before changing anything, saying how to install it', () => withTarget(async (t) => {
    const before = t.snapshot()
    const result = await t.runAll([services, pathRewrite])
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    expect(result.hooks[0]?.error).toEqual({
      code: 'openclaw-missing',
      message: `openclaw is not on ${t.user}'s PATH on local`,
      hint: 'Install it on the target first (npm install -g openclaw, or the installer), as the guide\'s Step 2 says.',
    })
    expect(t.snapshot()).toEqual(before)
  }, {root: true, fakes: ['systemctl']}))

  it('a CLI in a dir with a space and a %: quoted and escaped in ExecStart=, accepted by systemd-analyze, and the gateway starts from it', () => withTarget(async (t) => {
    host(t)
    const spaced = path.join(t.dir, 'my bin 100%')
    const cli = t.stub('openclaw', {'gateway run': 'exec sleep 600'}, spaced)
    t.env.PATH = `${spaced}:${t.env.PATH}`
    const report = await t.run(services)
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    const unit = t.read(t.sys(UNIT_FILE))
    expect(unit).toContain(`ExecStart="${t.dir}/my bin 100%%/openclaw" gateway run\n`)
    expect(unit).toContain(`Environment="PATH=${spaced.replace('%', '%%')}:`)
    expect(report.changed).toContain(`${UNIT_FILE} generated and checked with systemd-analyze verify`)
    for (let i = 0; i < 100 && t.stubCalls('openclaw').length === 0; i++) await new Promise((r) => setTimeout(r, 50))
    expect(t.stubCalls('openclaw')).toEqual(['gateway run'])
    expect(cli).toBe(path.join(spaced, 'openclaw'))
  }, {root: true, fakes: ['systemctl']}))

  it('a gateway that does not start fails the hook with where to look; the unit stays in place', () => withTarget(async (t) => {
    const {logs} = host(t)
    t.stub('openclaw', {'gateway run': 'echo "Error: Config invalid: gateway.port must be a number" >&2; exit 1'})
    const report = await t.run(services)
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({
      code: 'service-start-failed',
      message: `systemctl restart ${UNIT} failed on local: Job for ${UNIT} failed because the control process exited with error code.`,
      hint: `See why with: journalctl -u ${UNIT} -n 50 (on the target), fix it, and run the hook again.`,
    })
    expect(existsSync(t.sys(UNIT_FILE))).toBe(true)
    expect(t.read(path.join(logs, 'gateway.err.log'))).toContain('Error: Config invalid')
  }, {root: true, fakes: ['systemctl']}))

  it('on a host where systemd does not run (a container, even with systemctl installed): no unit, the gateway started by hand with the service\'s environment, and the user told it will not come back after a reboot', () => withTarget(async (t) => {
    const {cli, logs} = host(t)
    const noBus = 'echo "System has not been booted with systemd as init system (PID 1). Can\'t operate." >&2; exit 1'
    t.stub('systemctl', {[`is-enabled ${UNIT}`]: noBus, [`is-active ${UNIT}`]: noBus, 'daemon-reload': noBus})
    // The stub gateway exits at once: nothing here may look like a running gateway (harness.ts), so
    // verify, which looks for the process, finds none and says so.
    t.stub('openclaw', {'gateway run': 'exit 0', '--version': 'echo 2026.9.6'})
    const report = await t.run(services)
    expect(report.changed).toEqual([`log dir ${logs} (700, ${t.user})`, `started \`${cli} gateway run\` as ${t.user} (no service manager runs here)`])
    expect(report.actions).toEqual([expect.stringMatching(/^No service manager runs on local \(systemd is not PID 1 there\): ocvm started the gateway by hand as \S+, and it will not start again after a reboot\./)])
    // (--version: the process probe that looks for a running gateway asks it too.)
    expect(t.stubCalls('openclaw').filter((c) => c !== '--version')).toEqual(['gateway run'])
    expect(t.stubCalls('systemctl')).toEqual([])
    expect(existsSync(t.sys(UNIT_FILE))).toBe(false)
    expect(report.error?.message).toBe(`ocvm/services applied, but its result does not hold: no gateway of ${t.user} runs (no service manager runs here to start one)`)
  }, {root: true}))
})

describe('ocvm/services on macOS (FAKE launchctl, plutil, PlistBuddy)', {timeout: 120_000}, () => {
  const PLIST = '/Library/LaunchDaemons/ai.openclaw.gateway.plist'
  const API_KEY = 'sk-ant-unit-launchd-0123456789'
  const extract = async (t: Target, key: string) => (await t.shell.exec(['plutil', '-extract', `EnvironmentVariables.${key}`, 'raw', '-o', '-', '--', PLIST])).stdout.replace(/\n$/, '')

  it('installs a root-only LaunchDaemon and bootstraps it; a second run changes nothing', () => withTarget(async (t) => {
    const {cli, logs} = host(t, 'macos')
    const planned = await t.run(services, {os: 'macos', dryRun: true})
    expect(planned.details).toEqual([`${PLIST} is missing or unreadable`, `log dir ${logs} is missing`, 'ai.openclaw.gateway is not loaded in launchd'])

    const report = await t.run(services, {os: 'macos'})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([`log dir ${logs} (700, ${t.user})`, `${PLIST} (root:wheel 600)`, `launchctl bootstrap system ${PLIST}`])
    expect(stat(t.sys(PLIST))).toBe('600 0:0')
    expect(t.read(t.sys(PLIST))).toContain(`<string>${cli}</string>`)
    expect(await extract(t, 'PATH')).toBe(`${t.bin}:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`)
    expect(t.stubCalls('launchctl')).toEqual(expect.arrayContaining(['enable system/ai.openclaw.gateway', `bootstrap system ${t.sys(PLIST)}`]))

    const after = t.snapshot()
    const again = await t.run(services, {os: 'macos'})
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
  }, {root: true, fakes: ['launchctl', 'plutil', 'PlistBuddy']}))

  it('a re-install keeps the secrets ocvm/secrets put in the plist, and replaces the loaded job', () => withTarget(async (t) => {
    host(t, 'macos')
    expect((await t.run(services, {os: 'macos'})).status).toBe('changed')
    const entered = await t.run(secrets, {os: 'macos', options: {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY})}})
    expect(entered.status).toBe('changed')
    // An older definition: its PATH is not what this host needs.
    await t.shell.exec(['/usr/libexec/PlistBuddy', '-c', 'Set :EnvironmentVariables:PATH /usr/bin:/bin', PLIST])
    const planned = await t.run(services, {os: 'macos', dryRun: true})
    expect(planned.details).toEqual([`${PLIST} is not the generated LaunchDaemon`])

    const report = await t.run(services, {os: 'macos'})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(await extract(t, 'ANTHROPIC_API_KEY')).toBe(API_KEY)
    expect(await extract(t, 'PATH')).toBe(`${t.bin}:/opt/homebrew/bin:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`)
    expect(stat(t.sys(PLIST))).toBe('600 0:0')
    const launchctl = t.stubCalls('launchctl')
    expect(launchctl.filter((c) => /^(bootout|bootstrap) /.test(c))).toEqual([`bootstrap system ${t.sys(PLIST)}`, 'bootout system/ai.openclaw.gateway', `bootstrap system ${t.sys(PLIST)}`])
    expect(t.leaks(API_KEY, [entered, planned, report])).toEqual([])
  }, {root: true, fakes: ['launchctl', 'plutil', 'PlistBuddy']}))
})
