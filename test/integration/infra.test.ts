// Proves the integration-test infrastructure itself works: two sshd hosts in their own network
// namespaces, test users, per-host private /home, and the real OpenClaw CLI on the hosts.
import {existsSync, rmSync} from 'node:fs'
import {describe, expect, inject, it} from 'vitest'

import {DST, hostFsPath, hostIp, infra, openclawCli, runOcvm, run, sshCheck, sshExec, SRC} from '../infra/hosts.js'

describe('test infra', () => {
  it('writes infra.json and provides the same info to tests', () => {
    expect(infra().hosts.map((h) => h.name)).toEqual(expect.arrayContaining([SRC, DST]))
    expect(inject('ocvmInfra')).toEqual(infra())
    expect(existsSync(infra().sshConfig)).toBe(true)
    expect(process.env.OCVM_SSH_CONFIG).toBe(infra().sshConfig)
  })

  it.each([
    [SRC, '10.250.0.2'],
    [DST, '10.250.0.3'],
  ])('%s is a separate network host at %s', async (name, ip) => {
    expect(hostIp(name)).toBe(ip)
    const addrs = await sshCheck(name, 'ip -4 -o addr show')
    expect(addrs).toContain(`inet ${ip}/24`)
    // Only its own address: the other host's lives in another namespace.
    expect(addrs.match(/inet 10\.250\.0\.\d+/g)).toEqual([`inet ${ip}`])
    // No default route, so nothing a test does can leave the bridge.
    expect(await sshCheck(name, 'ip route')).not.toMatch(/^default/m)
  })

  it('alice and bob can log in to both hosts, with homes under /home', async () => {
    for (const name of [SRC, DST]) {
      for (const user of ['alice', 'bob']) {
        const out = await sshCheck(name, 'id -un; echo "$HOME"; pwd', {user})
        expect(out.trim().split('\n')).toEqual([user, `/home/${user}`, `/home/${user}`])
      }
    }
  })

  it('each host has a private /home', async () => {
    const marker = `hello-${process.pid}`
    const srcFile = hostFsPath(SRC, '/home/alice/x')
    const dstFile = hostFsPath(DST, '/home/alice/x')
    try {
      await sshCheck(SRC, `echo ${marker} > /home/alice/x`, {user: 'alice'})
      expect((await sshCheck(SRC, 'cat /home/alice/x', {user: 'alice'})).trim()).toBe(marker)
      expect((await sshExec(DST, 'test -e /home/alice/x', {user: 'alice'})).exitCode).toBe(1)
      // The test process sees each host's copy at hostFsPath().
      expect(existsSync(srcFile)).toBe(true)
      expect(existsSync(dstFile)).toBe(false)
    } finally {
      rmSync(srcFile, {force: true})
    }
  })

  it('hostFsPath refuses paths that are not per-host', () => {
    expect(hostFsPath(SRC, '/etc/openclaw/openclaw.json')).toBe(`${infra().hosts[0]!.fsRoot}/etc/openclaw/openclaw.json`)
    expect(() => hostFsPath(SRC, '/etc/passwd')).toThrow(/shared/)
    expect(() => hostFsPath(SRC, '/home/../etc/passwd')).toThrow(/shared/)
    expect(() => hostFsPath(SRC, 'home/alice')).toThrow(/absolute/)
  })

  it('hosts can reach each other over the bridge', async () => {
    const cmd = `timeout 5 bash -c 'echo > /dev/tcp/${hostIp(DST)}/22' && echo open`
    expect((await sshCheck(SRC, cmd)).trim()).toBe('open')
  })

  it('runs the real openclaw CLI on the source host', async () => {
    expect((await sshCheck(SRC, 'openclaw --version')).trim()).toContain('2026.9.6')
    expect((await sshCheck(SRC, 'openclaw --version', {user: 'alice'})).trim()).toContain('2026.9.6')
    const local = await run(openclawCli(), ['--version'])
    expect(local.stdout).toContain('2026.9.6')
  })

  it('runOcvm runs bin/run.js with the infra ssh config', async () => {
    const r = await runOcvm(['--version'])
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^ocvm\//)
  })
})
