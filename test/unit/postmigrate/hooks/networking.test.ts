// ocvm/networking on this machine: its real addresses (ip/ifconfig), its real listeners (ss/lsof)
// on a port the test opens itself, and a config that may still name the source host.
import {createServer, type Server} from 'node:net'
import {hostname} from 'node:os'
import {describe, expect, it} from 'vitest'

import {networking} from '../../../../src/postmigrate/hooks/networking.js'
import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {withTarget, type Target} from './harness.js'

/** A gateway stand-in listening on `host`, closed when the test ends; its port. */
async function listen(t: Target, host: string): Promise<number> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  t.onCleanup(() => new Promise((resolve) => server.close(resolve)))
  const address = server.address()
  if (!address || typeof address === 'string') throw new Error('no port')
  return address.port
}

const ADDRESSES = new RegExp(`^target ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} addresses: (?!.*\\b127\\.0\\.0\\.1\\b).+$`)

describe('ocvm/networking', () => {
  it('a loopback-only gateway whose config names no old host passes, and nothing is changed', () => withTarget(async (t) => {
    const port = await listen(t, '127.0.0.1')
    // The target's own name is not an "old" one, even when the source was reached by it.
    t.write(t.configPath, JSON.stringify({gateway: {bind: 'loopback', port}, channels: {googlechat: {webhookUrl: `https://${hostname()}:${port}/googlechat`}}}))
    const options = {port, source: {host: hostname(), names: [hostname(), 'local']}}
    const before = t.snapshot()
    const report = await t.run(networking, {options})
    expect(report.status).toBe('unchanged')
    expect(report.details).toHaveLength(1)
    expect(report.details[0]).toMatch(ADDRESSES)
    expect(await t.run(networking, {options})).toMatchObject({status: 'unchanged', details: report.details})
    expect(t.snapshot()).toEqual(before)
  }))

  it('dry run: names a non-loopback bind, a port open to the network and each config value that names the old host', () => withTarget(async (t) => {
    const port = await listen(t, '0.0.0.0')
    t.write(t.configPath, JSON.stringify({
      gateway: {bind: 'lan', port},
      channels: {googlechat: {webhookUrl: 'https://ocvm-src:18789/googlechat'}},
      agents: {defaults: {notes: 'see ocvm-src2.example and 10.250.0.20'}},
      plugins: {entries: {relay: {config: {upstream: '10.250.0.2'}}}},
    }))
    const report = await t.run(networking, {dryRun: true, options: {port, source: {host: 'ocvm-src', names: ['ocvm-src', '10.250.0.2']}}})
    expect(report.status).toBe('planned')
    expect(report.details[0]).toMatch(ADDRESSES)
    expect(report.details.slice(1)).toEqual([
      `gateway.bind is "lan": set gateway.bind to "loopback" in ${t.configPath} and reach it through Tailscale or an ssh tunnel`,
      `port ${port} listens on 0.0.0.0:${port}: only 127.0.0.1/::1 may; fix gateway.bind and restart the gateway`,
      'channels.googlechat.webhookUrl still names the old host ocvm-src: change it to the target\'s name or address',
      'plugins.entries.relay.config.upstream still names the old host 10.250.0.2: change it to the target\'s name or address',
    ])
  }))

  it('changes nothing itself (a bind is a security decision): each finding becomes an action and the hook fails until it is fixed', () => withTarget(async (t) => {
    const port = await listen(t, '127.0.0.1')
    t.write(t.configPath, JSON.stringify({gateway: {port}}))
    const unset = `gateway.bind is not set (OpenClaw may pick a non-loopback bind): set gateway.bind to "loopback" in ${t.configPath} and reach it through Tailscale or an ssh tunnel`
    const before = t.snapshot()
    const result = await t.runAll([networking, pathRewrite], {options: {port}})
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    const report = result.hooks[0]
    expect(report?.changed).toEqual([])
    expect(report?.actions).toEqual([unset])
    expect(report?.error).toEqual({code: 'hook-verify-failed', message: expect.stringContaining(`ocvm/networking applied, but its result does not hold: target ${hostname()} addresses: `), hint: 'Fix what the details name, then run the hook again.'})
    expect(report?.error?.message).toContain(`; ${unset}`)
    expect(t.snapshot()).toEqual(before)
  }))

  it('without a config it fails saying the config is missing', () => withTarget(async (t) => {
    const report = await t.run(networking)
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({code: 'config-invalid', message: `${t.configPath}: config file does not exist`})
  }))
})
