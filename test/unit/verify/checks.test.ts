import {describe, expect, it} from 'vitest'

import type {RunResult} from '../../../src/exec/runner.js'
import type {HookContext} from '../../../src/postmigrate/api.js'
import {CHECKS} from '../../../src/verify/checks.js'

// The CLI checks against a scripted shell: what OpenClaw prints while another process (a gateway
// still in its startup migrations) holds the state's lifecycle lock.
const BUSY: RunResult = {exitCode: 1, stdout: '', stderr: '[openclaw] The CLI command failed.\n[openclaw] Reason: another OpenClaw process owns state-lifecycle\n'} as RunResult
const VALID: RunResult = {exitCode: 0, stdout: '{"valid":true,"issues":[]}\n', stderr: ''} as RunResult

function context(answers: RunResult[]): {ctx: HookContext; calls: () => number} {
  let calls = 0
  const shell = {label: 'stub', script: async () => answers[Math.min(calls++, answers.length - 1)]}
  const options = {user: 'carol', group: 'staff', home: '/Users/carol', stateDir: '/Users/carol/.openclaw', configPath: '/Users/carol/.openclaw/openclaw.json'}
  return {ctx: {shell, os: 'macos', driver: 'file', where: 'host', dryRun: true, options} as unknown as HookContext, calls: () => calls}
}

const config = CHECKS.find((c) => c.id === 'config')!

describe('verify: CLI checks while the gateway holds the state lock', () => {
  it('asks again until the gateway has started', async () => {
    const {ctx, calls} = context([BUSY, VALID])
    expect(await config.run(ctx, {waitMs: 10_000})).toEqual({status: 'pass', detail: 'the config is valid'})
    expect(calls()).toBe(2)
  })

  it('says so (not "invalid config") when the lock stays taken past the wait', async () => {
    const {ctx, calls} = context([BUSY])
    await expect(config.run(ctx, {waitMs: 0})).rejects.toMatchObject({
      message: expect.stringMatching(/openclaw config validate --json` could not run: another OpenClaw process \(the gateway, still starting\?\) holds the state's lock/),
      hint: expect.stringMatching(/\/Users\/carol\/\.openclaw\/logs\/gateway\.err\.log/),
    })
    expect(calls()).toBe(1)
  })
})
