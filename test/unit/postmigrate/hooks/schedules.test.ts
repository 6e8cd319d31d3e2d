// ocvm/schedules on this machine: the rotation config is written under ROOT (/etc/logrotate.d,
// /etc/newsyslog.d); the user's crontab belongs to a strict `crontab` stub (`-u USER -l` and
// `-u USER FILE` only), since the real one would edit this machine's own crontab.
import {statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {schedules} from '../../../../src/postmigrate/hooks/schedules.js'
import {withTarget, type Target} from './harness.js'

const ROTATION = '/etc/logrotate.d/openclaw'

/** The user's crontab as `crontab` keeps it (in the stub's state); `install` answers `-u USER FILE`. */
function crontab(t: Target, existing?: string, install = 'cat "$3" > "$S/crontab"'): () => string {
  t.stub('crontab', {
    [`-u ${t.user} -l`]: `[ -f "$S/crontab" ] && exec cat "$S/crontab"; echo "no crontab for ${t.user}" >&2; exit 1`,
    [`-u ${t.user} *`]: install,
  })
  const file = path.join(t.stubState('crontab'), 'crontab')
  if (existing !== undefined) t.write(file, existing)
  return () => t.read(file)
}

/** What `inspect` found on the source: alice's crontab (one job with a masked credential), a cron.d job, logrotate. */
function sourceSchedules(t: Target) {
  return {
    mappings: [{from: '/home/alice', to: t.home}],
    source: {host: 'ocvm-src', schedules: [
      {kind: 'crontab', source: 'crontab:alice', envKeys: ['GITHUB_TOKEN'], lines: [
        '0 3 * * * find /home/alice/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete',
        '5 * * * * curl -H "Authorization: Bearer ***" https://example.com/ping',
      ]},
      {kind: 'cron.d', source: '/etc/cron.d/openclaw', lines: ['0 4 * * * alice find /tmp/openclaw-image-gen -type f -mtime +7 -delete']},
      {kind: 'logrotate', source: '/etc/logrotate.d/openclaw', lines: ['/home/alice/.openclaw/logs/*.log {']},
    ]},
  }
}

describe('ocvm/schedules', () => {
  it('without source jobs: writes the log rotation for the target\'s log dir and leaves the crontab alone; a second run changes nothing', () => withTarget(async (t) => {
    crontab(t)
    const logs = path.join(t.stateDir, 'logs')
    const before = t.snapshot()
    const planned = await t.run(schedules, {dryRun: true})
    expect(planned).toMatchObject({status: 'planned', details: [`${ROTATION} is missing or differs`]})
    expect(t.snapshot()).toEqual(before)

    const report = await t.run(schedules)
    expect(report).toMatchObject({status: 'changed', changed: [`${ROTATION} (rotates ${logs}/*.log)`], actions: []})
    const text = t.read(t.sys(ROTATION))
    expect(text.split('\n')).toEqual(expect.arrayContaining([`${logs}/*.log {`, `    su ${t.user} ${t.group}`, `    create 0640 ${t.user} ${t.group}`, '    weekly']))
    expect(statSync(t.sys(ROTATION)).mode & 0o777).toBe(0o644)

    const after = t.snapshot()
    expect(await t.run(schedules)).toMatchObject({status: 'unchanged', changed: [], details: []})
    expect(t.snapshot()).toEqual(after)
    expect(t.stubCalls('crontab')).toEqual([])
  }))

  it('a rotation config edited by hand is put back', () => withTarget(async (t) => {
    crontab(t)
    await t.run(schedules)
    const generated = t.read(t.sys(ROTATION))
    t.write(t.sys(ROTATION), generated.replace('weekly', 'daily'), 0o644)
    expect((await t.run(schedules, {dryRun: true})).details).toEqual([`${ROTATION} is missing or differs`])
    expect((await t.run(schedules)).status).toBe('changed')
    expect(t.read(t.sys(ROTATION))).toBe(generated)
  }))

  it('adds the source\'s jobs to the user\'s crontab with translated paths, keeps its own, lists what only a human can redo; a second run adds nothing', () => withTarget(async (t) => {
    const current = crontab(t, 'MAILTO=""\n0 1 * * * /usr/local/bin/backup\n')
    const options = sourceSchedules(t)
    const jobs = [
      `0 3 * * * find ${t.home}/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete`,
      '0 4 * * * find /tmp/openclaw-image-gen -type f -mtime +7 -delete',
    ]
    const manual = [
      'crontab:alice: a job with a credential on its command line (recreate it by hand, the value is not shown): 5 * * * * curl -H "Authorization: Bearer ***" https://example.com/ping',
      'crontab:alice set GITHUB_TOKEN at its top: add them to the target user\'s crontab (values are not copied)',
    ]
    const planned = await t.run(schedules, {dryRun: true, options})
    expect(planned.details).toEqual([`${ROTATION} is missing or differs`, ...jobs.map((j) => `crontab of ${t.user} lacks: ${j}`), ...manual.map((m) => `manual: ${m}`)])
    expect(t.stubCalls('crontab')).toEqual([`-u ${t.user} -l`])

    const report = await t.run(schedules, {options})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([`${ROTATION} (rotates ${t.stateDir}/logs/*.log)`, ...jobs.map((j) => `crontab of ${t.user}: ${j}`)])
    expect(report.actions).toEqual(manual)
    expect(current()).toBe(`MAILTO=""\n0 1 * * * /usr/local/bin/backup\n${jobs.join('\n')}\n`)

    const again = await t.run(schedules, {options})
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: manual.map((m) => `manual: ${m}`)})
    expect(current()).toBe(`MAILTO=""\n0 1 * * * /usr/local/bin/backup\n${jobs.join('\n')}\n`)
    expect(t.stubCalls('crontab').filter((c) => c !== `-u ${t.user} -l`)).toHaveLength(1)
  }))

  it('a user without a crontab gets one', () => withTarget(async (t) => {
    const current = crontab(t)
    const report = await t.run(schedules, {options: sourceSchedules(t)})
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(current()).toBe(`0 3 * * * find ${t.home}/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete\n0 4 * * * find /tmp/openclaw-image-gen -type f -mtime +7 -delete\n`)
  }))

  it('macOS: newsyslog, one file per profile instance', () => withTarget(async (t) => {
    crontab(t)
    const logs = path.join(t.stateDir, 'logs')
    const file = '/etc/newsyslog.d/openclaw-work.conf'
    const report = await t.run(schedules, {os: 'macos', options: {instance: 'work'}})
    expect(report).toMatchObject({status: 'changed', changed: [`${file} (rotates ${logs}/*.log)`]})
    expect(t.read(t.sys(file))).toContain(`${logs}/gateway.log     ${t.user}:${t.group}  640  7  1024  *  J\n`)
    expect((await t.run(schedules, {os: 'macos', options: {instance: 'work'}})).status).toBe('unchanged')
  }))

  it('a crontab that refuses the jobs fails the hook with crontab\'s own words; the run goes on (onError continue)', () => withTarget(async (t) => {
    const current = crontab(t, '0 1 * * * /usr/local/bin/backup\n', 'echo "\\"$3\\":2: bad minute" >&2; echo "errors in crontab file, can\'t install." >&2; exit 1')
    const result = await t.runAll([schedules, pathRewrite], {options: sourceSchedules(t)})
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    expect(result.hooks[0]?.error).toMatchObject({
      code: 'external-command',
      message: 'sh exited with code 1 on local: errors in crontab file, can\'t install.',
      hint: 'Run again with --verbose to see the commands ocvm runs.',
    })
    expect(current()).toBe('0 1 * * * /usr/local/bin/backup\n')
  }))
})
