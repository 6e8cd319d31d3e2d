import {describe, expect, it} from 'vitest'

import type {HookContext} from '../../../src/postmigrate/api.js'
import {CHECKS} from '../../../src/verify/checks.js'
import {runChecks, type VerifyResult} from '../../../src/verify/verify.js'
import {renderVerify} from '../../../src/views/hooks-view.js'
import {withTarget, type Target} from '../postmigrate/hooks/harness.js'

// The checklist on this machine through a real local shell (harness.ts): a target whose service
// user has no openclaw on its PATH (the harness makes sure this machine has none), and one with a
// strict stub of it.
const hookContext = (t: Target): HookContext => ({
  ...t.ctx, shell: t.shell, os: 'linux', driver: 'file', where: 'host', dryRun: true,
  // A port nothing listens on: the health and loopback checks fail on their own, quickly.
  options: {user: t.user, group: t.group, home: t.home, stateDir: t.stateDir, configPath: t.configPath, port: 1},
})
const NEEDS_CLI = ['config', 'service', 'doctor', 'security', 'memory']

describe('verify: openclaw not installed for the service user', () => {
  it('fails once, first, with the install hint; the checks that run the CLI are skipped, none shows the shell\'s "not found"', async () => {
    await withTarget(async (t) => {
      const checks = await runChecks(CHECKS, hookContext(t), {waitMs: 0})
      expect(checks[0]).toMatchObject({id: 'cli', status: 'fail', detail: expect.stringMatching(new RegExp(`^openclaw is not installed for ${t.user} on local, or not on its PATH \\(${t.bin}:`)), fix: expect.stringContaining('npm install -g openclaw')})
      for (const id of NEEDS_CLI) expect(checks.find((c) => c.id === id)).toMatchObject({status: 'skipped', detail: 'needs the openclaw CLI (see above)'})
      expect(checks.filter((c) => /install/.test(c.fix ?? '') && /openclaw/.test(c.detail))).toHaveLength(1)
      for (const c of checks) expect(`${c.detail} ${c.fix ?? ''}`).not.toMatch(/not found|exec: openclaw|exit 127/)
      // No CLI check ran: the skipped ones were not even tried.
      expect(t.calls.filter((c) => c.argv.includes('openclaw'))).toEqual([])

      const result: VerifyResult = {status: 'failed', host: 'local', os: 'Linux (test)', user: t.user, stateDir: t.stateDir, checks}
      const shown = renderVerify(result)
      expect(shown.split('\n').filter((l) => l.startsWith('skip  '))).toHaveLength(NEEDS_CLI.length)
      expect(shown).toMatch(/^FAIL {2}openclaw CLI on the service user's PATH: openclaw is not installed for /m)
      expect(shown.match(/fix: Install it there \(Node >= 24, then `npm install -g openclaw`/g)).toHaveLength(1)
      expect(shown).toMatch(/check\(s\) FAILED, 5 skipped because of them$/m)
    })
  })
})

describe('verify: openclaw on the service user\'s PATH', () => {
  it('passes with where it is, and the CLI checks run', async () => {
    await withTarget(async (t) => {
      const cli = t.stub('openclaw', {'config validate --json': `echo '{"valid":true,"issues":[]}'`})
      const checks = await runChecks(CHECKS.filter((c) => c.id === 'cli' || c.id === 'config'), hookContext(t), {waitMs: 0})
      expect(checks).toEqual([
        {id: 'cli', title: 'openclaw CLI on the service user\'s PATH', status: 'pass', detail: cli},
        {id: 'config', title: 'openclaw config validate', status: 'pass', detail: 'the config is valid'},
      ])
      expect(t.stubCalls('openclaw')).toEqual(['config validate --json'])
    })
  })
})
