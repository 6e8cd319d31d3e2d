// ocvm/signal on this machine: linking goes through the FAKE signal-cli of test/fakes (it "scans"
// at once and stores the account in the user's home), Java is a stub JDK found through JAVA_HOME.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {signal} from '../../../../src/postmigrate/hooks/signal.js'
import {stubJdk, withTarget, type Target} from './harness.js'

const SIGNAL = {channels: ['signal']}
const URI = 'sgnl://linkdevice?uuid=fAkEuUiD0000&pub_key=BfAkEpUbKeY0000'
const NOT_LINKED = 'this host is not linked to a Signal account yet (re-pair: Signal > Settings > Linked devices)'
const accounts = (t: Target) => path.join(t.home, '.local/share/signal-cli/data/accounts.json')

/** signal-cli's Java: JAVA_HOME points at a JDK of this major version. */
function java(t: Target, major = 21): string {
  const jdk = stubJdk(t, major)
  t.env.JAVA_HOME = jdk
  return jdk
}

describe('ocvm/signal', () => {
  it('not configured: nothing to do, nothing runs', () => withTarget(async (t) => {
    expect(await t.run(signal)).toMatchObject({status: 'unchanged', details: ['Signal is not configured: nothing to do']})
    expect(t.calls).toEqual([])
  }))

  it('dry run: says the host is not linked yet, and links nothing', () => withTarget(async (t) => {
    java(t)
    const before = t.snapshot()
    expect(await t.run(signal, {dryRun: true, options: SIGNAL})).toMatchObject({status: 'planned', details: [NOT_LINKED]})
    expect(t.snapshot()).toEqual(before)
  }, {fakes: ['signal-cli']}))

  it('links as a new device named OpenClaw, showing the link as a QR code; a second run changes nothing', () => withTarget(async (t) => {
    java(t)
    const report = await t.run(signal, {options: SIGNAL})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual(['linked as device "OpenClaw" of +15550100'])
    expect(report.actions).toEqual(['Restart the gateway so the Signal channel connects: it reads signal-cli\'s data at startup.'])
    const qr = t.said.find((m) => m.startsWith('Scan this with Signal on your phone (Settings > Linked devices > Link new device):\n'))
    expect(qr?.endsWith(`\n${URI}`)).toBe(true)
    expect(qr).toMatch(/[█▀▄]/)
    expect(t.read(accounts(t))).toContain('"deviceName":"OpenClaw"')

    const after = t.snapshot()
    expect(await t.run(signal, {options: SIGNAL})).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
  }, {fakes: ['signal-cli']}))

  it('a Java older than 21 is named with where it came from; the hook fails until the service\'s JAVA_HOME is fixed (onError continue)', () => withTarget(async (t) => {
    const jdk = java(t, 17)
    t.write(accounts(t), '{"accounts":[{"number":"+15550100"}]}')
    const old = `Java 17 found at JAVA_HOME=${jdk}: signal-cli needs Java 21; point JAVA_HOME at a Java 21 in the service definition`
    const result = await t.runAll([signal, pathRewrite], {options: SIGNAL})
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    expect(result.hooks[0]).toMatchObject({details: [old], changed: [], actions: [old]})
    expect(result.hooks[0]?.error).toEqual({code: 'hook-verify-failed', message: `ocvm/signal applied, but its result does not hold: ${old}`, hint: 'Fix what the details name, then run the hook again.'})
  }, {fakes: ['signal-cli']}))

  it('a JAVA_HOME that holds no Java is called stale', () => withTarget(async (t) => {
    t.env.JAVA_HOME = path.join(t.dir, 'jdk-gone')
    const report = await t.run(signal, {dryRun: true, options: SIGNAL})
    expect(report.details).toEqual([`no working Java for ${t.user} (JAVA_HOME=${t.env.JAVA_HOME} is stale?): signal-cli needs Java 21`, NOT_LINKED])
  }, {fakes: ['signal-cli']}))

  it('without signal-cli it says so and fails with how to install it', () => withTarget(async (t) => {
    java(t)
    const report = await t.run(signal, {options: SIGNAL})
    expect(report.details).toEqual([`signal-cli is not on ${t.user}'s PATH: install it (and Java 21) on the target`, NOT_LINKED])
    expect(report.error).toEqual({code: 'missing-tool', message: `signal-cli is not installed for ${t.user} on local`, hint: 'Install signal-cli and Java 21 on the target (guide Step 2), then run `ocvm hooks run ocvm/signal` again.'})
  }))

  it('a link that fails after showing the code says what signal-cli said and how to link by hand', () => withTarget(async (t) => {
    java(t)
    t.stub('signal-cli', {'link -n OpenClaw': `echo '${URI}'; echo 'ERROR: Link request error: Connection closed!' >&2; exit 3`})
    const report = await t.run(signal, {options: SIGNAL})
    expect(report.status).toBe('failed')
    expect(report.error).toEqual({
      code: 'signal-link-failed',
      message: 'signal-cli link failed: ERROR: Link request error: Connection closed!',
      hint: `Run it on the target as ${t.user}: sudo -u ${t.user} -H sh -c 'cd ~ && signal-cli link -n "OpenClaw"' and scan the code, or run this hook again.`,
    })
    expect(t.said.some((m) => m.endsWith(`\n${URI}`))).toBe(true)
    expect(existsSync(accounts(t))).toBe(false)
  }))
})
