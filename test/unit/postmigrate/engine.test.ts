import {describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {createShell, ShellPool} from '../../../src/hosts/shell.js'
import {silentReporter} from '../../../src/output/reporter.js'
import {defineHook, type Hook, type NextStepKey} from '../../../src/postmigrate/api.js'
import {runHooks} from '../../../src/postmigrate/engine.js'
import {nextStepsWithHooks} from '../../../src/migrate/after-migrate.js'
import {selectHooks} from '../../../src/postmigrate/catalog.js'
import {OcvmError} from '../../../src/errors.js'

// The engine's control flow with in-memory hooks; the shell is the local one and is never used.
const runner = createRunner()
const ctx = {runner, shells: new ShellPool({runner, ssh: {}}), reporter: silentReporter}
const run = {shell: createShell({kind: 'local'}, runner, {controlDir: '/tmp'}), os: 'linux' as const, osName: 'Test', driver: 'file', where: 'host' as const, dryRun: false, options: {}}

function counterHook(id: string, opts: {onError?: 'continue' | 'fail'; fails?: boolean; timeoutMs?: number; hang?: boolean} = {}): Hook & {applied: number} {
  let done = false
  const hook = defineHook({
    id, description: id, appliesTo: {os: ['linux' as const]}, onError: opts.onError ?? 'continue', timeoutMs: opts.timeoutMs ?? 5000,
    applied: 0,
    async check() {
      return {satisfied: done, details: done ? [] : ['missing thing']}
    },
    async apply() {
      hook.applied++
      if (opts.hang) await new Promise((r) => setTimeout(r, 10_000))
      if (opts.fails) throw new OcvmError('boom', `${id} broke`, {hint: 'fix it'})
      done = true
      return {changed: ['made thing'], actions: ['scan the QR code']}
    },
    async verify() {
      return {satisfied: done, details: []}
    },
  })
  return hook
}

describe('hook engine', () => {
  it('applies what is missing, then a re-run is a no-op', async () => {
    const hook = counterHook('t/a')
    const first = await runHooks([hook], run, ctx)
    expect(first.status).toBe('ok')
    expect(first.hooks[0]).toMatchObject({status: 'changed', changed: ['made thing'], actions: ['scan the QR code']})
    const second = await runHooks([hook], run, ctx)
    expect(second.hooks[0]?.status).toBe('unchanged')
    expect(hook.applied).toBe(1)
  })

  it('dry run checks only', async () => {
    const hook = counterHook('t/b')
    const result = await runHooks([hook], {...run, dryRun: true}, ctx)
    expect(result).toMatchObject({status: 'planned', hooks: [{status: 'planned', details: ['missing thing']}]})
    expect(hook.applied).toBe(0)
  })

  it('a failing continue hook makes the run partial and keeps going; its error and hint are reported', async () => {
    const result = await runHooks([counterHook('t/c', {fails: true}), counterHook('t/d')], run, ctx)
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'changed'])
    expect(result.hooks[0]?.error).toEqual({code: 'boom', message: 't/c broke', hint: 'fix it'})
  })

  it('a failing fail hook stops the run', async () => {
    const result = await runHooks([counterHook('t/e', {fails: true, onError: 'fail'}), counterHook('t/f')], run, ctx)
    expect(result.status).toBe('failed')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'not-run'])
  })

  it('a hook past its time limit fails with hook-timeout', async () => {
    const result = await runHooks([counterHook('t/g', {hang: true, timeoutMs: 50})], run, ctx)
    expect(result.hooks[0]?.error?.code).toBe('hook-timeout')
  })

  it('skips hooks for another OS', async () => {
    const result = await runHooks([counterHook('t/h')], {...run, os: 'macos'}, ctx)
    expect(result.hooks[0]?.status).toBe('not-applicable')
  })

  it('selects built-ins by id and refuses unknown ids', () => {
    expect(selectHooks(['ocvm/services', 'ocvm/secrets']).map((h) => h.id)).toEqual(['ocvm/services', 'ocvm/secrets'])
    expect(() => selectHooks(['ocvm/nope'])).toThrow(/unknown hook: ocvm\/nope/)
  })

  it('drops the migration\'s manual next steps that hooks took care of, adds their actions', () => {
    const steps = ['The source gateway was not running…', 'Recreate the service and secrets on the target (never copied): x', 'Rebuild the memory index on the target: …']
    const hooks = {status: 'partial' as const, host: 'h', os: 'linux' as const, osName: '', dryRun: false, hooks: [
      {id: 'ocvm/services', description: '', onError: 'continue' as const, status: 'changed' as const, changed: [], details: [], actions: [], durationMs: 0},
      {id: 'ocvm/secrets', description: '', onError: 'continue' as const, status: 'unchanged' as const, changed: [], details: [], actions: ['add KEY'], durationMs: 0},
      {id: 'ocvm/memory-index', description: '', onError: 'continue' as const, status: 'failed' as const, changed: [], details: [], actions: [], error: {code: 'x', message: 'boom'}, durationMs: 0},
    ]}
    expect(nextStepsWithHooks(steps, hooks)).toEqual(['The source gateway was not running…', 'Rebuild the memory index on the target: …', '[ocvm/memory-index] failed: boom', '[ocvm/secrets] add KEY'])
  })

  it('drops a next step once successful hooks settle every key it asks for, whoever declares them', () => {
    const report = (id: string, status: 'changed' | 'unchanged' | 'failed', settles?: NextStepKey[]) =>
      ({id, description: '', onError: 'continue' as const, ...(settles ? {settles} : {}), status, changed: [], details: [], actions: [], durationMs: 0})
    const run = (...reports: Array<ReturnType<typeof report>>) => ({status: 'ok' as const, host: 'h', os: 'linux' as const, osName: '', dryRun: false, hooks: reports})
    const steps = ['Recreate the service and secrets on the target (never copied): x', 'Reinstall plugin dependencies: npm install in each extensions/<id> dir.', 'Google Chat: update the webhook URL']
    // A plugin hook that declares `settles` takes a step over like a built-in.
    expect(nextStepsWithHooks(steps, run(report('acme/deps', 'changed', ['extension-deps'])))).toEqual([steps[0], steps[2]])
    // One of the two keys of a step is not enough; nor is a failed hook's.
    expect(nextStepsWithHooks(steps, run(report('acme/svc', 'changed', ['service']), report('acme/sec', 'failed', ['secrets'])))).toEqual([steps[0], steps[1], steps[2], '[acme/sec] failed: '])
    expect(nextStepsWithHooks(steps, run(report('acme/svc', 'changed', ['service']), report('acme/sec', 'unchanged', ['secrets'])))).toEqual([steps[1], steps[2]])
    // A report without `settles` (journaled by an older ocvm) settles what the built-in declares.
    expect(nextStepsWithHooks(steps, run(report('ocvm/extensions', 'changed')))).toEqual([steps[0], steps[2]])
    expect(nextStepsWithHooks(steps, run(report('acme/other', 'changed')))).toEqual(steps)
  })

  it('reports what each hook settles, from its definition', async () => {
    const settling = {...counterHook('t/s'), settles: ['memory-index'] as const}
    const result = await runHooks([settling, counterHook('t/n')], run, ctx)
    expect(result.hooks.map((h) => h.settles)).toEqual([['memory-index'], undefined])
  })
})
