import {describe, expect, it} from 'vitest'

import type {ServiceFile} from '../../../src/deployment/services.js'
import {gatewayServices, planStop, type GatewayService} from '../../../src/deployment/gateway-control.js'
import {launchdDisabled} from '../../../src/deployment/service-manager.js'

const unit: ServiceFile = {kind: 'systemd-unit', path: '/etc/systemd/system/openclaw-gateway.service', name: 'openclaw-gateway.service', scope: 'system', runAs: 'alice', env: {}, secretKeys: [], environmentFiles: [], command: ['openclaw', 'gateway', 'run']}
const userUnit: ServiceFile = {...unit, path: '/home/alice/.config/systemd/user/openclaw-gateway.service', scope: 'user', runAs: undefined}
const agent: ServiceFile = {...unit, kind: 'launch-agent', name: 'ai.openclaw.gateway', path: '/Users/alice/Library/LaunchAgents/ai.openclaw.gateway.plist', scope: 'user'}
const facts = (serviceManager: 'systemd' | 'launchd' | 'none', users: string[] = [], loginUser = 'root') =>
  ({serviceManager, loginUser, uid: 501, gatewayProcesses: users.map((user, i) => ({pid: 100 + i, user, args: 'openclaw gateway run'}))})
const system: GatewayService = {kind: 'systemd', unit: 'openclaw-gateway.service', scope: 'system'}

describe('gatewayServices: what the running service manager would run', () => {
  it('systemd: the user\'s system unit, and a user unit through that user\'s manager', () => {
    expect(gatewayServices('alice', [unit, userUnit], facts('systemd'))).toEqual([system, {kind: 'systemd', unit: 'openclaw-gateway.service', scope: 'user', machine: 'alice@'}])
    expect(gatewayServices('alice', [userUnit], facts('systemd', [], 'alice'))).toEqual([{kind: 'systemd', unit: 'openclaw-gateway.service', scope: 'user'}])
    expect(gatewayServices('bob', [unit], facts('systemd'))).toEqual([])
  })
  it('unit files on a host whose init is not systemd (systemctl installed or not) run nothing', () => {
    expect(gatewayServices('alice', [unit, userUnit], facts('none'))).toEqual([])
  })
  it('launchd: an agent in its user\'s gui domain (not the login user\'s), and the profile\'s instance first', () => {
    const other: ServiceFile = {...agent, name: 'ai.openclaw.work', instance: 'work'}
    expect(gatewayServices('alice', [agent, other], facts('launchd'), 'work').map((s) => s.kind === 'launchd' && s.label)).toEqual(['ai.openclaw.work', 'ai.openclaw.gateway'])
    expect(gatewayServices('alice', [agent], facts('launchd'))).toEqual([{kind: 'launchd', domain: 'gui/501', label: 'ai.openclaw.gateway', plist: agent.path}])
  })
})

// The plan is journaled before anything is stopped, so a run killed mid-stop still knows what to put back.
describe('planStop: the service manager decides, not the process list', () => {
  it('nothing enabled, active or running: none', () => {
    expect(planStop('alice', [{service: system, now: {enabled: false, active: false}}], facts('systemd', ['bob']))).toEqual({kind: 'none'})
  })
  it('an enabled unit with no process at this instant (between two Restart=always restarts) is still stopped, and what it was is kept', () => {
    expect(planStop('alice', [{service: system, now: {enabled: true, active: false}}], facts('systemd'))).toEqual({...system, was: {enabled: true, active: false}})
  })
  it('an active unit: stopped, recorded as it was', () => {
    expect(planStop('alice', [{service: system, now: {enabled: true, active: true}}], facts('systemd', ['alice']))).toEqual({...system, was: {enabled: true, active: true}})
  })
  it('a stale unit that is neither enabled nor active, and a gateway started by hand: its processes', () => {
    expect(planStop('alice', [{service: system, now: {enabled: false, active: false}}], facts('systemd', ['alice', 'bob', 'alice']))).toEqual({kind: 'process', pids: [100, 102], user: 'alice'})
  })
})

describe('launchdDisabled (launchctl print-disabled)', () => {
  const out = 'disabled services = {\n\t"com.apple.x" => enabled\n\t"ai.openclaw.gateway" => disabled\n}\n'
  it('reads the label\'s line; a label not listed is enabled', () => {
    expect(launchdDisabled(out, 'ai.openclaw.gateway')).toBe(true)
    expect(launchdDisabled(out, 'com.apple.x')).toBe(false)
    expect(launchdDisabled(out, 'ai.openclaw.work')).toBe(false)
    expect(launchdDisabled('disabled services = {\n\t"ai.openclaw.gateway" => true\n}', 'ai.openclaw.gateway')).toBe(true)
  })
})
