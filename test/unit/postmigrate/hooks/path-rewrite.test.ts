// ocvm/path-rewrite on this machine: a deployment moved from /home/alice to a temp home, its files
// still naming the old dirs; the hook rewrites them in place with the migration's own engine.
import {mkdirSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {permissions} from '../../../../src/postmigrate/hooks/permissions.js'
import {withTarget, type Target} from './harness.js'

const OLD_HOME = '/home/alice'
const OLD_STATE = '/home/alice/.openclaw'

/** The moved deployment, and the path map that goes with it. */
function moved(t: Target) {
  t.write(t.configPath, `// Alice's gateway (comments survive the rewrite)
{
  agents: {
    defaults: { workspace: "${OLD_STATE}/workspace" },
    list: [{ id: "search", workspace: "${OLD_HOME}/research-ws/search" }],
  },
  // Prose is not a path: left alone.
  identity: { bio: "moved from ${OLD_HOME} last week" },
  $include: "./channels.json5",
}
`)
  t.write(path.join(t.stateDir, 'channels.json5'), `{ channels: { whatsapp: { authDir: "${OLD_STATE}/credentials/whatsapp" } } }\n`)
  t.write(path.join(t.stateDir, 'agents/main/sessions/sessions.json'), `{"agent:main:main":{"sessionId":"s1","sessionFile":"${OLD_STATE}/agents/main/sessions/s1.jsonl"}}\n`)
  t.write(path.join(t.stateDir, 'cron/jobs.json'), `{"jobs":[{"command":"cd ${OLD_STATE}/workspace && git pull"}]}\n`, 0o640)
  t.write(path.join(t.stateDir, '.env'), `NOTES_DIR=${OLD_HOME}/notes\n`)
  t.write(path.join(t.stateDir, 'broken.json'), `{ "dir": "${OLD_HOME}/x",\n`)
  t.write(path.join(t.stateDir, 'other.json'), `{"dir":"/home/alice2/keep"}\n`)
  t.write(path.join(t.ws, 'search/notes.json'), `{"dir":"${OLD_HOME}/research-ws/search"}\n`)
  return {mappings: [{from: OLD_STATE, to: t.stateDir}, {from: OLD_HOME, to: t.home}], otherRoots: [t.ws]}
}

describe('ocvm/path-rewrite', () => {
  it('without a path map there is nothing to do, and nothing runs', () => withTarget(async (t) => {
    const report = await t.run(pathRewrite)
    expect(report).toMatchObject({status: 'unchanged', changed: [], details: ['no path map: nothing to rewrite (give --map OLD=NEW)']})
    expect(t.calls).toEqual([])
  }))

  it('dry run: lists every path it would rewrite and every file it will not touch, and changes nothing', () => withTarget(async (t) => {
    const options = moved(t)
    const before = t.snapshot()
    const report = await t.run(pathRewrite, {dryRun: true, options})
    expect(report.status).toBe('planned')
    const s = t.stateDir
    expect(report.details).toEqual([
      `${s}/agents/main/sessions/sessions.json  agent:main:main.sessionFile: ${OLD_STATE}/agents/main/sessions/s1.jsonl -> ${s}/agents/main/sessions/s1.jsonl`,
      `${s}/channels.json5  channels.whatsapp.authDir: ${OLD_STATE}/credentials/whatsapp -> ${s}/credentials/whatsapp`,
      `${s}/cron/jobs.json  jobs[0].command: cd ${OLD_STATE}/workspace && git pull -> cd ${s}/workspace && git pull`,
      `${s}/openclaw.json  agents.defaults.workspace: ${OLD_STATE}/workspace -> ${s}/workspace`,
      `${s}/openclaw.json  agents.list[0].workspace: ${OLD_HOME}/research-ws/search -> ${t.home}/research-ws/search`,
      `${t.ws}/search/notes.json  dir: ${OLD_HOME}/research-ws/search -> ${t.home}/research-ws/search`,
      `${s}/.env: a dotenv file mentions an old path; ocvm does not read secret files, check it by hand`,
      `${s}/broken.json: not valid JSON5, left as is`,
    ])
    expect(t.snapshot()).toEqual(before)
  }))

  it('rewrites in place keeping comments and modes, says what it could not do; a second run changes nothing', () => withTarget(async (t) => {
    const options = moved(t)
    const report = await t.run(pathRewrite, {options})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed.sort()).toEqual([
      `channels.json5: 1 path(s) rewritten (${t.stateDir}/channels.json5)`,
      `jobs.json: 1 path(s) rewritten (${t.stateDir}/cron/jobs.json)`,
      `notes.json: 1 path(s) rewritten (${t.ws}/search/notes.json)`,
      `openclaw.json: 2 path(s) rewritten (${t.configPath})`,
      `sessions.json: 1 path(s) rewritten (${t.stateDir}/agents/main/sessions/sessions.json)`,
    ])
    expect(report.actions).toEqual([
      `Check ${t.stateDir}/.env by hand: a dotenv file mentions an old path; ocvm does not read secret files, check it by hand`,
      `Check ${t.stateDir}/broken.json by hand: not valid JSON5, left as is`,
    ])
    const config = t.read(t.configPath)
    expect(config).toContain('// Alice\'s gateway (comments survive the rewrite)')
    expect(config).toContain(`workspace: "${t.stateDir}/workspace"`)
    expect(config).toContain(`bio: "moved from ${OLD_HOME} last week"`)
    expect(statSync(path.join(t.stateDir, 'cron/jobs.json')).mode & 0o777).toBe(0o640)
    expect(t.read(path.join(t.stateDir, 'other.json'))).toBe('{"dir":"/home/alice2/keep"}\n')
    expect(t.read(path.join(t.stateDir, '.env'))).toBe(`NOTES_DIR=${OLD_HOME}/notes\n`)

    const after = t.snapshot()
    const again = await t.run(pathRewrite, {options})
    expect(again.status).toBe('unchanged')
    expect(again.changed).toEqual([])
    // What it cannot rewrite stays in the details, so the user still sees it.
    expect(again.details).toEqual([
      `${t.stateDir}/.env: a dotenv file mentions an old path; ocvm does not read secret files, check it by hand`,
      `${t.stateDir}/broken.json: not valid JSON5, left as is`,
    ])
    expect(t.snapshot()).toEqual(after)
  }))

  it('a file it cannot write fails the hook with the command\'s own error, and (onError: fail) stops the hooks after it', () => withTarget(async (t) => {
    const options = moved(t)
    // Where the rewrite writes its new copy before renaming it over the file.
    mkdirSync(`${t.configPath}.ocvm-new`)
    const result = await t.runAll([pathRewrite, permissions], {options})
    expect(result.status).toBe('failed')
    expect(result.hooks.map((h) => [h.id, h.status])).toEqual([['ocvm/path-rewrite', 'failed'], ['ocvm/permissions', 'not-run']])
    const error = result.hooks[0]?.error
    expect(error).toMatchObject({code: 'external-command', hint: 'Run again with --verbose to see the commands ocvm runs.'})
    expect(error?.message).toMatch(new RegExp(`^sh exited with code \\d+ on local: .*${t.configPath}\\.ocvm-new: Is a directory$`))
    expect(error?.output).toContain('Is a directory')
    expect(t.read(t.configPath)).toContain(`"${OLD_STATE}/workspace"`)
  }))

  it('a path map with a relative dir is refused before anything runs', () => withTarget(async (t) => {
    const report = await t.run(pathRewrite, {options: {mappings: [{from: 'home/alice', to: t.home}]}})
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({code: 'bug', message: expect.stringMatching(/^hook inputs are invalid: mappings\.0\.from /)})
    expect(t.calls).toEqual([])
  }))
})
