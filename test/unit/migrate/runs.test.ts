import {hostname} from 'node:os'
import {describe, expect, it} from 'vitest'

import {summarize} from '../../../src/migrate/runs.js'
import type {MigrationState} from '../../../src/migrate/types.js'

const base = {
  version: 1, runId: 'r', createdAt: '2026-12-07T10:00:00.000Z',
  options: {driver: 'file', from: 'root@old', to: 'root@new', sessions: 'include', dryRun: false, force: false},
  steps: [{name: 'preflight', status: 'done'}, {name: 'quiesce', status: 'done'}, {name: 'transfer', status: 'pending'}, {name: 'commit', status: 'pending'}],
  committed: false, status: 'running',
} as unknown as MigrationState
const ID = '20261207T100000Z-abcdef'
// A pid that no process has: the kernel's pid_max is far below it.
const gone = {pid: 2 ** 30, host: hostname()}

describe('summarize: where a journaled run stands', () => {
  it('running while its ocvm process lives; interrupted once it is gone (SIGKILL, a crash), with resume and rollback', () => {
    expect(summarize(ID, {...base, owner: {pid: process.pid, host: hostname()}})).toMatchObject({status: 'running', step: 'transfer'})
    expect(summarize(ID, {...base, owner: gone})).toMatchObject({status: 'interrupted', step: 'transfer', next: [`ocvm migrate --resume ${ID}`, `ocvm migrate --rollback ${ID}`]})
    // A journal from another machine's process cannot be asked: not running here.
    expect(summarize(ID, {...base, owner: {pid: process.pid, host: 'elsewhere'}}).status).toBe('interrupted')
  })
  it('a cancelled run is interrupted, another failure failed; both at the step they stopped in', () => {
    const failedAt = {...base, steps: base.steps.map((s) => (s.name === 'transfer' ? {...s, status: 'failed' as const} : s)), status: 'failed' as const}
    expect(summarize(ID, {...failedAt, error: {code: 'cancelled', message: 'cancelled during transfer'}})).toMatchObject({status: 'interrupted', step: 'transfer'})
    expect(summarize(ID, {...failedAt, error: {code: 'target-disk-full', message: 'full'}})).toMatchObject({status: 'failed', step: 'transfer'})
  })
  it('completed: migrated, or partial when a hook needs a human; verify and rollback next', () => {
    const done = {...base, status: 'completed' as const, committed: true}
    expect(summarize(ID, done)).toMatchObject({status: 'migrated', step: 'done', committed: true, next: ['ocvm verify --on root@new', `ocvm migrate --rollback ${ID}`]})
    expect(summarize(ID, {...done, hooks: {status: 'partial', hooks: []} as unknown as MigrationState['hooks']}).status).toBe('partial')
  })
  it('rolled back: nothing left to do; an import names its archive and cannot resume', () => {
    expect(summarize(ID, {...base, status: 'rolled-back'})).toMatchObject({status: 'rolled-back', next: []})
    const imp = {...base, status: 'failed' as const, archive: {file: '/tmp/a.ocvm.tar.zst'}} as unknown as MigrationState
    expect(summarize(ID, imp)).toMatchObject({kind: 'import', from: '/tmp/a.ocvm.tar.zst', next: [`ocvm migrate --rollback ${ID}`]})
  })
})
