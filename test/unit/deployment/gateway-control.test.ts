import {describe, expect, it} from 'vitest'

import type {ServiceFile} from '../../../src/deployment/services.js'
import {planStop} from '../../../src/deployment/gateway-control.js'

const unit: ServiceFile = {kind: 'systemd-unit', path: '/etc/systemd/system/openclaw-gateway.service', name: 'openclaw-gateway.service', scope: 'system', runAs: 'alice', env: {}, secretKeys: [], environmentFiles: [], command: ['openclaw', 'gateway', 'run']}
const facts = (tools: Record<string, boolean>, users: string[]) => ({tools, loginUid: 501, gatewayProcesses: users.map((user, i) => ({pid: 100 + i, user, args: 'openclaw gateway run'}))})

// The plan is journaled before anything is stopped, so a run killed mid-stop still knows what to start.
describe('planStop', () => {
  it('nothing of the user runs: none', () => {
    expect(planStop('alice', [unit], facts({systemctl: true}, ['bob']))).toEqual({kind: 'none'})
  })
  it('a system unit of the user, with systemctl: systemd', () => {
    expect(planStop('alice', [unit], facts({systemctl: true}, ['alice']))).toEqual({kind: 'systemd', unit: 'openclaw-gateway.service', scope: 'system'})
  })
  it('a launchd agent, with launchctl: launchd in the login user\'s gui domain', () => {
    const agent: ServiceFile = {...unit, kind: 'launch-agent', name: 'ai.openclaw.gateway', path: '/Users/alice/Library/LaunchAgents/ai.openclaw.gateway.plist', scope: 'user'}
    expect(planStop('alice', [agent], facts({launchctl: true}, ['alice']))).toEqual({kind: 'launchd', domain: 'gui/501', label: 'ai.openclaw.gateway', plist: agent.path})
  })
  it('started by hand: the pids of the user\'s gateway processes only', () => {
    expect(planStop('alice', [], facts({}, ['alice', 'bob', 'alice']))).toEqual({kind: 'process', pids: [100, 102], user: 'alice'})
  })
})
