import {describe, expect, it} from 'vitest'

import type {HostFacts} from '../../../src/deployment/host-facts.js'
import {locateCandidates, locateDeployment} from '../../../src/deployment/locate.js'
import {DeploymentNotFoundError, UsageError} from '../../../src/errors.js'

const facts = (over: Partial<HostFacts> = {}): HostFacts => ({
  hostLabel: 'ssh://h', os: 'linux', kernel: 'Linux', arch: 'x86_64', loginUser: 'alice', loginUid: 1000,
  user: 'alice', group: 'alice', home: '/home/alice', env: {}, openclaw: undefined, gatewayProcesses: [], tools: {}, ...over,
})
const fs = (...paths: string[]) => (p: string) => paths.includes(p)

describe('locateDeployment', () => {
  it('defaults to ~/.openclaw/openclaw.json', () => {
    const loc = locateDeployment(facts(), {}, {}, fs('/home/alice/.openclaw'))
    expect(loc).toMatchObject({stateDir: '/home/alice/.openclaw', configPath: '/home/alice/.openclaw/openclaw.json', source: 'default'})
  })

  it('falls back to a legacy dir and its legacy config name', () => {
    const loc = locateDeployment(facts(), {}, {}, fs('/home/alice/.clawdbot', '/home/alice/.clawdbot/clawdbot.json'))
    expect(loc).toMatchObject({stateDir: '/home/alice/.clawdbot', configPath: '/home/alice/.clawdbot/clawdbot.json', source: 'legacy'})
  })

  it('honours OPENCLAW_STATE_DIR and OPENCLAW_CONFIG_PATH of the login session', () => {
    const loc = locateDeployment(facts({env: {OPENCLAW_STATE_DIR: '/srv/oc', OPENCLAW_CONFIG_PATH: '~/cfg/openclaw.json'}}), {}, {}, fs('/srv/oc', '/home/alice/.openclaw'))
    expect(loc).toMatchObject({stateDir: '/srv/oc', configPath: '/home/alice/cfg/openclaw.json', source: 'env'})
  })

  it('ignores the login env when inspecting another user, but uses that user\'s service env', () => {
    const f = facts({user: 'openclaw', home: '/home/openclaw', env: {OPENCLAW_STATE_DIR: '/root/.x'}})
    expect(locateDeployment(f, {}, {}, fs('/home/openclaw/.openclaw', '/root/.x')).stateDir).toBe('/home/openclaw/.openclaw')
    expect(locateDeployment(f, {}, {OPENCLAW_STATE_DIR: '/data/oc'}, fs('/data/oc')).source).toBe('service')
  })

  it('uses --profile (~/.openclaw-<name>) and --state-dir', () => {
    expect(locateDeployment(facts(), {profile: 'work'}, {}, fs('/home/alice/.openclaw-work')).stateDir).toBe('/home/alice/.openclaw-work')
    expect(locateDeployment(facts(), {stateDir: '~/elsewhere'}, {}, fs('/home/alice/elsewhere')).source).toBe('flag')
  })

  it('expands ~ with OPENCLAW_HOME when set', () => {
    const loc = locateDeployment(facts({env: {OPENCLAW_HOME: '/data/home'}}), {}, {}, fs('/data/home/.openclaw'))
    expect(loc.stateDir).toBe('/data/home/.openclaw')
  })

  it('says where it looked when nothing is there', () => {
    const error = (() => {
      try {
        locateDeployment(facts(), {}, {}, fs())
      } catch (e) {
        return e
      }
    })() as DeploymentNotFoundError
    expect(error).toBeInstanceOf(DeploymentNotFoundError)
    expect(error.details.tried).toEqual(['/home/alice/.openclaw', '/home/alice/.clawdbot', '/home/alice/.moldbot', '/home/alice/.moltbot'])
    expect(error.hint).toMatch(/--state-dir/)
  })

  it('rejects a malformed profile name as a usage error', () => {
    expect(() => locateDeployment(facts(), {profile: '../x'}, {}, fs())).toThrow(UsageError)
  })

  it('asks about every path it may test', () => {
    const candidates = locateCandidates(facts({env: {OPENCLAW_STATE_DIR: '/srv/oc'}}), {profile: 'p'}, {})
    expect(candidates).toEqual(expect.arrayContaining(['/srv/oc', '/home/alice/.openclaw-p', '/home/alice/.openclaw/openclaw.json', '/home/alice/.moltbot/moltbot.json']))
  })
})
