// ocvm/secrets on this machine as root: /etc/openclaw/secrets.env (Linux) and the LaunchDaemon's
// EnvironmentVariables (macOS, with the FAKE plutil and PlistBuddy) live under the target's ROOT.
// Every test also checks where the values went: never argv, the report, or what the user is told.
import {execFileSync} from 'node:child_process'
import {existsSync, statSync} from 'node:fs'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {secrets} from '../../../../src/postmigrate/hooks/secrets.js'
import {withTarget, type Target} from './harness.js'

const FILE = '/etc/openclaw/secrets.env'
const PLIST = '/Library/LaunchDaemons/ai.openclaw.gateway.plist'
const API_KEY = 'sk-ant-unit-0123456789abcdef'
// Everything sh and systemd's EnvironmentFile treat specially, in one value.
const TRICKY = 'p4ss "quoted" $HOME `id` \\back \'single\''
const TOKEN = 'a'.repeat(64)
const source = (secretNames: string[]) => ({source: {host: 'ocvm-src', secretNames}})

/** A value as the service will see it: the file sourced by sh (what EnvironmentFile= reads too). */
function sourced(t: Target, name: string): string {
  return execFileSync('sh', ['-c', 'set -a; . "$1"; eval "printf %s \\"\\$$2\\""', 'sh', t.sys(FILE), name], {encoding: 'utf8'})
}

const stat = (file: string) => {
  const s = statSync(file)
  return `${(s.mode & 0o777).toString(8)} ${s.uid}:${s.gid}`
}

describe('ocvm/secrets (Linux: /etc/openclaw/secrets.env)', () => {
  it('dry run: says the file is missing and which of the source\'s keys were not given; writes nothing', () => withTarget(async (t) => {
    const before = t.snapshot()
    const report = await t.run(secrets, {dryRun: true, options: {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY}), ...source(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY', 'OPENCLAW_GATEWAY_TOKEN'])}})
    expect(report).toMatchObject({status: 'planned', details: [`${FILE} does not exist`, 'not provided (the source had them): OPENAI_API_KEY']})
    expect(t.snapshot()).toEqual(before)
    expect(t.leaks(API_KEY, report)).toEqual([])
  }, {root: true}))

  it('writes a root-only file with the values quoted for sh and systemd and a new gateway token; no value in argv or output', () => withTarget(async (t) => {
    const options = {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY, DB_PASSWORD: TRICKY}), ...source(['ANTHROPIC_API_KEY', 'OPENAI_API_KEY'])}
    const report = await t.run(secrets, {options})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([
      'OPENCLAW_GATEWAY_TOKEN: generated a new token (32 random bytes, hex)',
      `ANTHROPIC_API_KEY: written to ${FILE}`,
      `DB_PASSWORD: written to ${FILE}`,
      `OPENCLAW_GATEWAY_TOKEN: written to ${FILE}`,
    ])
    expect(report.actions).toEqual([
      'Add the keys the source had and this run did not get (OPENAI_API_KEY) to your secrets file and run `ocvm hooks run ocvm/secrets --on local --secrets-file FILE` (use not-configured for keys you do not use).',
      `Clients that talk to this gateway need its new OPENCLAW_GATEWAY_TOKEN (read it on the target: sudo cat ${FILE}).`,
    ])
    expect(stat(t.sys(FILE))).toBe('600 0:0')
    expect(sourced(t, 'ANTHROPIC_API_KEY')).toBe(API_KEY)
    expect(sourced(t, 'DB_PASSWORD')).toBe(TRICKY)
    const token = sourced(t, 'OPENCLAW_GATEWAY_TOKEN')
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    for (const value of [API_KEY, TRICKY, token]) expect(t.leaks(value, report)).toEqual([])
    // The values reached the host on stdin only.
    expect(t.calls.some((c) => c.input?.includes(API_KEY))).toBe(true)
  }, {root: true}))

  it('a second run with the same values changes nothing (the token stays)', () => withTarget(async (t) => {
    const options = {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY, DB_PASSWORD: TRICKY})}
    expect((await t.run(secrets, {options})).status).toBe('changed')
    const after = t.snapshot()
    const again = await t.run(secrets, {options})
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
  }, {root: true}))

  it('a new value replaces only its own line: hand-added keys, comments and the token stay', () => withTarget(async (t) => {
    const OLD = 'sk-ant-old-9999'
    t.write(t.sys(FILE), `# added by hand\nSLACK_BOT_TOKEN="xoxb-1"\nexport ANTHROPIC_API_KEY="${OLD}"\nOPENCLAW_GATEWAY_TOKEN="${TOKEN}"\n`, 0o600)
    const options = {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY})}
    const planned = await t.run(secrets, {dryRun: true, options})
    expect(planned).toMatchObject({status: 'planned', details: ['ANTHROPIC_API_KEY: new value to write']})
    const report = await t.run(secrets, {options})
    expect(report).toMatchObject({status: 'changed', changed: [`ANTHROPIC_API_KEY: written to ${FILE}`], actions: []})
    expect(t.read(t.sys(FILE))).toBe(`# added by hand\nSLACK_BOT_TOKEN="xoxb-1"\nOPENCLAW_GATEWAY_TOKEN="${TOKEN}"\nANTHROPIC_API_KEY="${API_KEY}"\n`)
    expect(t.leaks(API_KEY, [planned, report])).toEqual([])
    expect(t.leaks(OLD, [planned, report])).toEqual([])
  }, {root: true}))

  it('a file others can read is made root-only again without touching its content', () => withTarget(async (t) => {
    const text = `OPENCLAW_GATEWAY_TOKEN="${TOKEN}"\n`
    t.write(t.sys(FILE), text, 0o644)
    const planned = await t.run(secrets, {dryRun: true})
    expect(planned.details).toEqual([`${FILE} is 644 0:0 (mode uid:gid), not 600 root:root`])
    const report = await t.run(secrets)
    expect(report).toMatchObject({status: 'changed', changed: [`${FILE}: owner and mode set to root, 600`]})
    expect(stat(t.sys(FILE))).toBe('600 0:0')
    expect(t.read(t.sys(FILE))).toBe(text)
  }, {root: true}))

  it('an empty key fails the hook with the guide\'s way out (onError continue: the run goes on); not-configured fixes it', () => withTarget(async (t) => {
    t.write(t.sys(FILE), `OPENCLAW_GATEWAY_TOKEN="${TOKEN}"\nBRAVE_API_KEY=\n`, 0o600)
    const empty = 'BRAVE_API_KEY is empty: OpenClaw refuses to start; give a value or BRAVE_API_KEY=not-configured'
    const result = await t.runAll([secrets, pathRewrite])
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    expect(result.hooks[0]?.details).toEqual([empty])
    expect(result.hooks[0]?.error).toEqual({code: 'hook-verify-failed', message: `ocvm/secrets applied, but its result does not hold: ${empty}`, hint: 'Fix what the details name, then run the hook again.'})

    const fixed = await t.run(secrets, {options: {secrets: t.secrets({BRAVE_API_KEY: 'not-configured'})}})
    expect(fixed).toMatchObject({status: 'changed', changed: [`BRAVE_API_KEY: written to ${FILE}`]})
    expect(sourced(t, 'BRAVE_API_KEY')).toBe('not-configured')
  }, {root: true}))

  it('a profile instance gets its own file', () => withTarget(async (t) => {
    const report = await t.run(secrets, {options: {instance: 'work', secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY})}})
    expect(report.changed).toContain('ANTHROPIC_API_KEY: written to /etc/openclaw/secrets-work.env')
    expect(existsSync(t.sys(FILE))).toBe(false)
    expect(t.read(t.sys('/etc/openclaw/secrets-work.env'))).toContain(`ANTHROPIC_API_KEY="${API_KEY}"`)
  }, {root: true}))
})

// The fake macOS tools are Python scripts: seconds per run on a busy machine.
describe('ocvm/secrets (macOS: the LaunchDaemon\'s EnvironmentVariables, FAKE plutil and PlistBuddy)', {timeout: 120_000}, () => {
  const daemon = (t: Target, mode: number) => t.write(t.sys(PLIST), `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>ai.openclaw.gateway</string>
  <key>ProgramArguments</key><array><string>/opt/homebrew/bin/openclaw</string><string>gateway</string><string>run</string></array>
  <key>EnvironmentVariables</key><dict><key>HOME</key><string>${t.home}</string></dict>
</dict>
</plist>
`, mode)
  const extract = (t: Target, key: string) => execFileSync('plutil', ['-extract', `EnvironmentVariables.${key}`, 'raw', '-o', '-', '--', t.sys(PLIST)], {encoding: 'utf8', env: {...process.env, PATH: `${t.bin}:${process.env.PATH}`}}).replace(/\n$/, '')

  it('adds the values to the plist through PlistBuddy\'s stdin, keeps what was there, makes it root-only; a second run changes nothing', () => withTarget(async (t) => {
    daemon(t, 0o644)
    const options = {secrets: t.secrets({ANTHROPIC_API_KEY: API_KEY, DB_PASSWORD: TRICKY})}
    const planned = await t.run(secrets, {os: 'macos', dryRun: true, options})
    expect(planned.details).toEqual([
      `${PLIST} is 644 0:0 (mode uid:gid), not 600 root:wheel`,
      'OPENCLAW_GATEWAY_TOKEN is not set: a new one will be generated',
      'ANTHROPIC_API_KEY: new value to write',
      'DB_PASSWORD: new value to write',
    ])
    const report = await t.run(secrets, {os: 'macos', options})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([
      'OPENCLAW_GATEWAY_TOKEN: generated a new token (32 random bytes, hex)',
      `ANTHROPIC_API_KEY: written to ${PLIST}`,
      `DB_PASSWORD: written to ${PLIST}`,
      `OPENCLAW_GATEWAY_TOKEN: written to ${PLIST}`,
    ])
    expect(stat(t.sys(PLIST))).toBe('600 0:0')
    expect([extract(t, 'HOME'), extract(t, 'ANTHROPIC_API_KEY'), extract(t, 'DB_PASSWORD')]).toEqual([t.home, API_KEY, TRICKY])
    const token = extract(t, 'OPENCLAW_GATEWAY_TOKEN')
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    for (const value of [API_KEY, TRICKY, token]) expect(t.leaks(value, [planned, report])).toEqual([])

    const after = t.snapshot()
    const again = await t.run(secrets, {os: 'macos', options})
    expect(again).toMatchObject({status: 'unchanged', changed: []})
    expect(t.snapshot()).toEqual(after)
  }, {root: true, fakes: ['plutil', 'PlistBuddy']}))
})
