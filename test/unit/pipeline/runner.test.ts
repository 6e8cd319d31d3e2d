import {mkdtempSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import {HostUnreachableError, OcvmError} from '../../../src/errors.js'
import type {Reporter} from '../../../src/output/reporter.js'
import {silentReporter} from '../../../src/output/reporter.js'
import {classifyFailure} from '../../../src/pipeline/failure.js'
import {Journal, newRunId} from '../../../src/pipeline/journal.js'
import {memoryLog, type RunLog} from '../../../src/pipeline/run-log.js'
import {runPlan, type Plan, type RunRecord, type StepAction} from '../../../src/pipeline/runner.js'
import {caught} from '../../helpers/caught.js'

// The one step runner, with a real journal on disk and steps that record what ran. Every kind of
// run (state move, import, VM move) goes through it, so these rules hold for all of them.

type Name = 'prepare' | 'transfer' | 'verify' | 'commit' | 'after'
type State = RunRecord<Name> & {log: string[]}

const NAMES: Name[] = ['prepare', 'transfer', 'verify', 'commit', 'after']

beforeEach(() => {
  process.env.OCVM_RUNS_DIR = mkdtempSync(path.join(tmpdir(), 'ocvm-runner-'))
})

function newJournal(done: Name[] = []): Journal<State> {
  return Journal.create<State>(newRunId(), {
    steps: NAMES.map((name) => ({name, status: done.includes(name) ? 'done' : 'pending'})),
    committed: false,
    status: 'running',
    log: [],
  })
}

/** A plan whose steps append their name to `ran`; `fail` makes one step throw that error once. */
function plan(_log: RunLog<State>, ran: string[], fail: Partial<Record<Name, unknown>> = {}, extra: Partial<Plan<Name>> = {}): Plan<Name> & {removed: () => number} {
  let removed = 0
  const step = (name: Name): StepAction => async () => {
    ran.push(name)
    const error = fail[name]
    if (error !== undefined) {
      delete fail[name]
      throw error
    }
    return `${name} done`
  }
  return {
    actions: Object.fromEntries(NAMES.map((n) => [n, step(n)])) as Record<Name, StepAction>,
    describe: (name) => `the ${name} step`,
    commitPoint: 'commit',
    repairedBy: 'transfer',
    removeStaging: async () => {
      removed++
    },
    hint: 'Continue with --resume.',
    ...extra,
    removed: () => removed,
  }
}

const diskFull = () => new OcvmError('target-disk-full', 'not enough disk on target')

describe('the step runner', () => {
  it('runs the steps in journal order, journals each with its detail, and reports each once', async () => {
    const journal = newJournal()
    const ran: string[] = []
    const lines: string[] = []
    const reporter: Reporter = {...silentReporter, step: (m) => lines.push(m)}
    await runPlan(journal, plan(journal, ran), reporter)
    expect(ran).toEqual(NAMES)
    expect(lines).toEqual(NAMES.map((n) => `${n}: the ${n} step`))
    const saved = Journal.open<State>(journal.runId).data
    expect(saved.steps.map((s) => [s.name, s.status, s.detail])).toEqual(NAMES.map((n) => [n, 'done', `${n} done`]))
    expect(saved.steps.every((s) => s.startedAt && s.finishedAt)).toBe(true)
  })

  it('marks the run committed once the commit point is done, not before', async () => {
    const journal = newJournal()
    const seen: boolean[] = []
    const p = plan(journal, [])
    for (const n of NAMES) {
      const run = p.actions[n]
      p.actions[n] = async () => {
        seen.push(journal.data.committed)
        return run()
      }
    }
    await runPlan(journal, p, silentReporter)
    expect(seen).toEqual([false, false, false, false, true])
    expect(journal.data.committed).toBe(true)
  })

  it('skips what a resumed run already did (done or skipped steps never run twice)', async () => {
    const journal = newJournal(['prepare', 'transfer'])
    journal.update({steps: journal.data.steps.map((s) => (s.name === 'after' ? {...s, status: 'skipped'} : s))})
    const ran: string[] = []
    await runPlan(journal, plan(journal, ran), silentReporter)
    expect(ran).toEqual(['verify', 'commit'])
  })

  it('records a failure in the journal, adds the run id and the plan\'s hint, and rethrows the same error', async () => {
    const journal = newJournal()
    const error = new OcvmError('transfer-failed', 'the stream broke', {hint: 'Check the network.'})
    const thrown = await caught(runPlan(journal, plan(journal, [], {transfer: error}), silentReporter))
    expect(thrown).toBe(error)
    expect(error.hint).toBe('Check the network. Continue with --resume.')
    expect(error.details.runId).toBe(journal.runId)
    const saved = Journal.open<State>(journal.runId).data
    expect(saved.status).toBe('failed')
    expect(saved.error).toEqual({code: 'transfer-failed', message: 'the stream broke'})
    expect(saved.steps.find((s) => s.name === 'transfer')).toMatchObject({status: 'failed', detail: 'the stream broke'})
    expect(saved.steps.find((s) => s.name === 'verify')?.status).toBe('pending')
  })

  it('sends damaged staging back to the step that repairs it: a resume re-sends, then verifies again', async () => {
    const journal = newJournal()
    const ran: string[] = []
    const p = plan(journal, ran, {verify: new OcvmError('verify-failed', '2 files differ')})
    await caught(runPlan(journal, p, silentReporter))
    expect(journal.data.steps.find((s) => s.name === 'transfer')?.status).toBe('pending')
    expect(p.removed()).toBe(0)
    await runPlan(journal, p, silentReporter)
    expect(ran).toEqual(['prepare', 'transfer', 'verify', 'transfer', 'verify', 'commit', 'after'])
  })

  it('removes staging when the target disk fills up before the commit point (it cannot be resumed into)', async () => {
    const journal = newJournal()
    const p = plan(journal, [], {transfer: diskFull()})
    await caught(runPlan(journal, p, silentReporter))
    expect(p.removed()).toBe(1)
  })

  it('never removes staging once the run is committed, whatever fails after', async () => {
    const journal = newJournal()
    const p = plan(journal, [], {after: diskFull()})
    await caught(runPlan(journal, p, silentReporter))
    expect(journal.data.committed).toBe(true)
    expect(p.removed()).toBe(0)
  })

  it('keeps staging for a failure that a resume can continue from, unless the plan says otherwise', async () => {
    const kept = newJournal()
    const keep = plan(kept, [], {transfer: new HostUnreachableError('target', 'timed out')})
    await caught(runPlan(kept, keep, silentReporter))
    expect(keep.removed()).toBe(0)

    // An import cannot be resumed: every failure before the commit point leaves the target as it was.
    const cleaned = newJournal()
    const clean = plan(cleaned, [], {transfer: new HostUnreachableError('target', 'timed out')}, {removeStagingOn: () => true})
    await caught(runPlan(cleaned, clean, silentReporter))
    expect(clean.removed()).toBe(1)
  })

  it('records a failure that is not an OcvmError as a plain error, without touching it', async () => {
    const journal = newJournal()
    const thrown = await caught(runPlan(journal, plan(journal, [], {prepare: new TypeError('x is undefined')}), silentReporter))
    expect(thrown).toBeInstanceOf(TypeError)
    expect(journal.data.error).toEqual({code: 'error', message: 'TypeError: x is undefined'})
  })
})

describe('a run kept in memory (export, VM import: they start over instead of resuming)', () => {
  it('runs the same way, and its errors name no run id to resume', async () => {
    const log = memoryLog<State>({steps: NAMES.map((name) => ({name, status: 'pending'})), committed: false, status: 'running', log: []})
    const ran: string[] = []
    const error = new OcvmError('transfer-failed', 'the stream broke')
    const p = plan(log, ran, {transfer: error}, {removeStagingOn: () => true})
    await caught(runPlan(log, p, silentReporter))
    expect(ran).toEqual(['prepare', 'transfer'])
    expect(log.data.steps.find((s) => s.name === 'transfer')?.status).toBe('failed')
    expect(error.details.runId).toBeUndefined()
    expect(p.removed()).toBe(1)
  })
})

describe('failure classification', () => {
  it('names each kind of failure the runner treats differently', () => {
    expect(classifyFailure(diskFull())).toBe('disk-full')
    expect(classifyFailure(new OcvmError('external-command', 'tar: write error: No space left on device'))).toBe('disk-full')
    expect(classifyFailure(new OcvmError('verify-failed', 'x'))).toBe('verify-failed')
    expect(classifyFailure(new HostUnreachableError('h', 'refused'))).toBe('unreachable')
    expect(classifyFailure(new OcvmError('aborted', 'no'))).toBe('cancelled')
    expect(classifyFailure(new OcvmError('transfer-failed', 'x'))).toBe('other')
    expect(classifyFailure(new Error('x'))).toBe('other')
  })

  it('calls any failure after Ctrl-C a cancel, even one that looks like damaged staging', () => {
    const signal = AbortSignal.abort()
    expect(classifyFailure(new OcvmError('verify-failed', 'torn file'), signal)).toBe('cancelled')
    expect(classifyFailure(diskFull(), signal)).toBe('cancelled')
  })
})
