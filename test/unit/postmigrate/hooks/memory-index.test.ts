// ocvm/memory-index on this machine, the openclaw CLI being a strict stub: `memory status --json`
// answers in 2026.9's format (stale until `memory index --force` ran), and nothing else is accepted.
import {existsSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it, vi} from 'vitest'

import {memoryIndex} from '../../../../src/postmigrate/hooks/memory-index.js'
import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {withTarget, type Target} from './harness.js'

const agent = (id: string, files: number, chunks: number, eligible: number) =>
  `{"agentId":"${id}","status":{"backend":"builtin","files":${files},"chunks":${chunks},"dirty":${files < eligible},"sourceCounts":[{"source":"memory","files":${files},"chunks":${chunks},"dirty":${files < eligible},"eligible":${eligible}},{"source":"sessions","files":0,"chunks":0,"eligible":0}]}}`
const STALE = `[${agent('main', 0, 0, 2)},${agent('ops', 3, 9, 3)}]`
const CURRENT = `[${agent('main', 2, 12, 2)},${agent('ops', 3, 9, 3)}]`
const UPDATED = ['Memory index updated (main): 2 files, 12 chunks', 'Memory index updated (ops): 3 files, 9 chunks']

/** The CLI: status (after a log line, as the real one prints), and an index that makes it current. */
function openclaw(t: Target, index = `touch "$S/indexed"; echo '[memory] indexing 2 agents'; printf '%s\\n' '${UPDATED.join("' '")}'`, status = `echo '[memory] using builtin backend'; if [ -f "$S/indexed" ]; then echo '${CURRENT}'; else echo '${STALE}'; fi`) {
  t.stub('openclaw', {
    'memory status --json': `printf '%s %s\\n' "$PWD" "$HOME" >> "$S/where"; ${status}`,
    'memory index --force': index,
  })
}

const STALE_DETAILS = ['agent main: 0/2 memory file(s) indexed, 0 chunk(s) — needs a rebuild', 'agent ops: 3/3 memory file(s) indexed, 9 chunk(s)']
const CURRENT_DETAILS = ['agent main: 2/2 memory file(s) indexed, 12 chunk(s)', 'agent ops: 3/3 memory file(s) indexed, 9 chunk(s)']

describe('ocvm/memory-index', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('dry run: says which agent needs a rebuild and rebuilds nothing', () => withTarget(async (t) => {
    openclaw(t)
    const report = await t.run(memoryIndex, {dryRun: true})
    expect(report).toMatchObject({status: 'planned', details: STALE_DETAILS})
    expect(t.stubCalls('openclaw')).toEqual(['memory status --json'])
  }))

  it('rebuilds as the service user from its home, reports what the CLI said; a second run only asks', () => withTarget(async (t) => {
    openclaw(t)
    const report = await t.run(memoryIndex)
    expect(report).toMatchObject({status: 'changed', changed: UPDATED, actions: [], details: STALE_DETAILS})
    expect(t.stubCalls('openclaw')).toEqual(['memory status --json', 'memory index --force', 'memory status --json'])
    expect(t.read(path.join(t.stubState('openclaw'), 'where')).trim().split('\n')).toEqual([`${t.home} ${t.home}`, `${t.home} ${t.home}`])

    const again = await t.run(memoryIndex)
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: CURRENT_DETAILS})
    expect(t.stubCalls('openclaw').slice(3)).toEqual(['memory status --json'])
  }))

  it('a CLI that says nothing about the update still reports the rebuild', () => withTarget(async (t) => {
    openclaw(t, 'touch "$S/indexed"')
    expect(await t.run(memoryIndex)).toMatchObject({status: 'changed', changed: ['memory index rebuilt']})
  }))

  it('while the rebuild runs it tells the user every 15 s that it is alive, and stops when it is done', () => withTarget(async (t) => {
    vi.useFakeTimers({toFake: ['setInterval', 'clearInterval', 'Date']})
    // The rebuild waits for the test to let it finish.
    openclaw(t, `touch "$S/indexing"; while [ ! -f "$S/go" ]; do sleep 0.05; done; touch "$S/indexed"`)
    const running = t.run(memoryIndex)
    const s = t.stubState('openclaw')
    while (!existsSync(path.join(s, 'indexing'))) await new Promise((r) => setTimeout(r, 20))
    vi.advanceTimersByTime(31_000)
    writeFileSync(path.join(s, 'go'), '')
    const report = await running
    vi.advanceTimersByTime(60_000)
    expect(report.status).toBe('changed')
    expect(t.said.filter((m) => m.includes('still indexing'))).toEqual(['ocvm/memory-index: still indexing (15 s)', 'ocvm/memory-index: still indexing (30 s)'])
  }))

  it('a CLI that fails fails the hook with its own error output', () => withTarget(async (t) => {
    openclaw(t, '', 'echo "Error: Config validation failed: agents.list.0.workspace: path does not exist" >&2; exit 1')
    const report = await t.run(memoryIndex)
    expect(report.status).toBe('failed')
    expect(report.error).toMatchObject({code: 'external-command', message: 'sh exited with code 1 on local: Error: Config validation failed: agents.list.0.workspace: path does not exist'})
    expect(t.stubCalls('openclaw')).toEqual(['memory status --json'])
  }))

  it('output that is not the expected JSON is named as such, with what to do', () => withTarget(async (t) => {
    openclaw(t, '', 'echo "Memory search is disabled."')
    expect((await t.run(memoryIndex)).error).toEqual({code: 'unexpected-output', message: 'unexpected openclaw output from `openclaw memory status --json`: did not print JSON', hint: 'Run it by hand on the target as the service user to see what it says.'})
    openclaw(t, '', 'echo \'[{"agentId":"main","state":"ok"}]\'')
    expect((await t.run(memoryIndex)).error).toMatchObject({code: 'unexpected-output', message: expect.stringMatching(/^unexpected openclaw output from `openclaw memory status --json`: /), hint: 'This OpenClaw version prints a different format; report it to ocvm.'})
  }))

  it('an index that stays stale after the rebuild fails the hook with the agent named (onError continue: the run goes on)', () => withTarget(async (t) => {
    openclaw(t, `printf '%s\\n' '${UPDATED[0]}'`)
    const result = await t.runAll([memoryIndex, pathRewrite])
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    expect(result.hooks[0]?.error).toEqual({code: 'hook-verify-failed', message: `ocvm/memory-index applied, but its result does not hold: ${STALE_DETAILS.join('; ')}`, hint: 'Fix what the details name, then run the hook again.'})
  }))

  it('without the openclaw CLI it fails saying how to install it (npm, as ocvm/services says; there is no apt or brew package)', () => withTarget(async (t) => {
    const report = await t.run(memoryIndex)
    expect(report.status).toBe('failed')
    expect(report.error).toEqual({
      code: 'openclaw-missing',
      message: `openclaw is not on ${t.user}'s PATH on local`,
      hint: 'Install it on the target first (npm install -g openclaw, or the installer), as the guide\'s Step 2 says.',
    })
  }))
})
