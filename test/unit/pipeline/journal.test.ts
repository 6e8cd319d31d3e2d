import {mkdtempSync, readdirSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'

import {Journal, listJournals, newRunId} from '../../../src/pipeline/journal.js'

beforeEach(() => {
  process.env.OCVM_RUNS_DIR = mkdtempSync(path.join(tmpdir(), 'ocvm-journal-'))
})

describe('Journal', () => {
  it('creates, updates atomically and reopens a run, private to the user', () => {
    const id = newRunId(new Date('2026-11-24T10:15:00Z'))
    expect(id).toMatch(/^20261124T101500Z-[0-9a-f]{6}$/)
    const j = Journal.create(id, {status: 'running', n: 1})
    j.update({n: 2})
    j.writeArtifact('manifest-0.json', {entries: [1, 2]})
    const again = Journal.open<{status: string; n: number}>(id)
    expect(again.data).toEqual({status: 'running', n: 2})
    expect(again.readArtifact('manifest-0.json')).toEqual({entries: [1, 2]})
    expect(statSync(j.dir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(j.dir, 'journal.json')).mode & 0o777).toBe(0o600)
    expect(readdirSync(j.dir).filter((f) => f.includes('.tmp-'))).toEqual([])
  })

  it('lists runs newest first and refuses unknown or malformed ids clearly', () => {
    Journal.create('20261124T101500Z-aaaaaa', {status: 'completed'})
    Journal.create('20261124T111500Z-bbbbbb', {status: 'failed'})
    expect(listJournals().map((r) => r.runId)).toEqual(['20261124T111500Z-bbbbbb', '20261124T101500Z-aaaaaa'])
    expect(() => Journal.open('20261124T999999Z-cccccc')).toThrow(/no journal for run/)
    expect(() => Journal.open('../../etc/passwd')).toThrow(/is not a run id/)
  })
})
