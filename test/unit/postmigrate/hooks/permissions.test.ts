// ocvm/permissions on this machine: a state dir with the modes and owners a careless copy leaves
// (755 dirs, 644 secrets, files of another user), fixed by the hook as root.
import {chmodSync, chownSync, mkdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {permissions} from '../../../../src/postmigrate/hooks/permissions.js'
import {withTarget, type Target} from './harness.js'

const NOBODY = 65_534

/** A deployment as a careless copy leaves it; the problems the guide's Step 7 names, sorted. */
function careless(t: Target): string[] {
  const s = t.stateDir
  for (const file of ['openclaw.json', '.env', 'credentials/whatsapp/default/creds.json', 'identity/device.json', 'devices/paired.json', 'agents/main/agent/auth-profiles.json', 'agents/main/sessions/s1.jsonl']) {
    t.write(path.join(s, file), '{}\n', 0o644)
  }
  t.write(path.join(s, 'workspace/notes.md'), 'mine?\n', 0o600)
  t.write(path.join(t.ws, 'search/SOUL.md'), '# Search\n', 0o600)
  chownSync(path.join(s, 'workspace/notes.md'), NOBODY, NOBODY)
  chownSync(path.join(t.ws, 'search/SOUL.md'), NOBODY, NOBODY)
  for (const dir of [t.home, s, path.join(s, 'credentials/whatsapp')]) chmodSync(dir, 0o755)
  return [
    `${t.home}: dir is not 700`,
    `${s}: dir is not 700`,
    `${s}/credentials/whatsapp: dir is not 700`,
    `${s}/workspace/notes.md: not owned by ${t.user}`,
    `${t.ws}/search/SOUL.md: not owned by ${t.user}`,
    `${s}/openclaw.json: file is not 600`,
    `${s}/.env: file is not 600`,
    `${s}/credentials/whatsapp/default/creds.json: file is not 600`,
    `${s}/identity/device.json: file is not 600`,
    `${s}/devices/paired.json: file is not 600`,
    `${s}/agents/main/agent/auth-profiles.json: file is not 600`,
  ].sort()
}

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8)

describe('ocvm/permissions', () => {
  it('dry run: names each path that is off and why, and changes no mode or owner', () => withTarget(async (t) => {
    const problems = careless(t)
    const before = t.snapshot()
    const report = await t.run(permissions, {dryRun: true, options: {otherRoots: [t.ws]}})
    expect(report.status).toBe('planned')
    expect([...report.details].sort()).toEqual(problems)
    expect(t.snapshot()).toEqual(before)
  }, {root: true}))

  it('fixes owners and modes (stricter than the check: every dir 700, transcripts 600), says what it fixed; a second run changes nothing', () => withTarget(async (t) => {
    const problems = careless(t)
    const report = await t.run(permissions, {options: {otherRoots: [t.ws]}})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect([...report.changed].sort()).toEqual(problems.map((p) => p.replace(/: (.*)$/, ': fixed ($1)')).sort())
    const s = t.stateDir
    expect([t.home, s, path.join(s, 'credentials/whatsapp'), path.join(s, 'agents/main/sessions')].map(mode)).toEqual(['700', '700', '700', '700'])
    expect(['openclaw.json', '.env', 'credentials/whatsapp/default/creds.json', 'agents/main/agent/auth-profiles.json', 'agents/main/sessions/s1.jsonl'].map((f) => mode(path.join(s, f)))).toEqual(['600', '600', '600', '600', '600'])
    const uid = process.getuid?.()
    expect([statSync(path.join(s, 'workspace/notes.md')).uid, statSync(path.join(t.ws, 'search/SOUL.md')).uid]).toEqual([uid, uid])

    const after = t.snapshot()
    const again = await t.run(permissions, {options: {otherRoots: [t.ws]}})
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
  }, {root: true}))

  it('a deployment already as the guide wants it is left alone', () => withTarget(async (t) => {
    t.write(t.configPath, '{}\n', 0o600)
    mkdirSync(path.join(t.stateDir, 'credentials/whatsapp'), {recursive: true, mode: 0o700})
    const before = t.snapshot()
    const report = await t.run(permissions)
    expect(report).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(before)
  }, {root: true}))

  it('an owner it cannot set makes the hook fail naming what is still wrong; onError continue lets the next hook run', () => withTarget(async (t) => {
    careless(t)
    const result = await t.runAll([permissions, pathRewrite], {options: {otherRoots: [t.ws], group: 'no-such-group-ocvm'}})
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    const report = result.hooks[0]
    expect(report?.error).toEqual({
      code: 'hook-verify-failed',
      message: `ocvm/permissions applied, but its result does not hold: ${[`${t.stateDir}/workspace/notes.md: not owned by ${t.user}`, `${t.ws}/search/SOUL.md: not owned by ${t.user}`].join('; ')}`,
      hint: 'Fix what the details name, then run the hook again.',
    })
    // The modes were fixed all the same.
    expect(mode(path.join(t.stateDir, 'openclaw.json'))).toBe('600')
  }, {root: true}))
})
