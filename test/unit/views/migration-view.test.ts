import {describe, expect, it} from 'vitest'

import type {MigrationResult} from '../../../src/migrate/types.js'
import {STEPS} from '../../../src/pipeline/state-steps.js'
import {renderMigrationPlan} from '../../../src/views/migration-view.js'

const plan = (over: Partial<MigrationResult> = {}): MigrationResult => ({
  runId: '20261124T101500Z-a1b2c3', status: 'planned', dryRun: true,
  source: {host: 'ssh://root@old', user: 'alice', home: '/home/alice', stateDir: '/home/alice/.openclaw', configPath: '/home/alice/.openclaw/openclaw.json', configFiles: [], version: '2026.2.19', layout: 'jsonl', services: []},
  target: {host: 'ssh://root@new', user: 'alice', group: 'alice', home: '/home/alice', stateDir: '/home/alice/.openclaw'},
  roots: [{label: 'state dir', source: '/home/alice/.openclaw', target: '/home/alice/.openclaw', bytes: 0, files: 0}],
  steps: STEPS.map((name) => ({name, status: 'pending'})),
  changes: [], quarantined: [], retargeted: [], diffs: [], nextSteps: [], warnings: [],
  ...over,
})

describe('the human migration plan', () => {
  it('shows the payload in bytes and files under the roots', () => {
    const shown = renderMigrationPlan(plan({payload: {bytes: 5_932_012, files: 68}}))
    expect(shown).toMatch(/^state dir .*\nTo move: 5\.7 MiB \(5932012 bytes\) in 68 files\.$/m)
    expect(shown).not.toMatch(/ETA|estimated/i)
  })

  it('ends with the source\'s findings as inspect shows them (mark, message, hint), errors first, before the question', () => {
    const shown = renderMigrationPlan(plan({
      findings: [
        {severity: 'error', code: 'empty-env', message: 'BRAVE_API_KEY is set to an empty value (/home/alice/.openclaw/.env): OpenClaw fails to start on empty env vars', hint: 'Give BRAVE_API_KEY a value, or the placeholder "not-configured" if it is optional.'},
        {severity: 'warning', code: 'placeholder-allow-from', message: 'channels.whatsapp.allowFrom[0] is a placeholder ("+46XXXXXXXXX"): messages from real numbers are silently dropped', hint: 'Replace it with the real E.164 number(s) before or right after the move.'},
      ],
      warnings: ['the source gateway is running: it will be stopped before the final copy'],
    }))
    const lines = shown.split('\n')
    const at = lines.indexOf('Found on the source (what `ocvm inspect` shows; the move carries them over: fix the ERRORs before or right after it):')
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith('  10. report')))
    expect(lines.slice(at + 1, at + 5)).toEqual([
      '  ERROR BRAVE_API_KEY is set to an empty value (/home/alice/.openclaw/.env): OpenClaw fails to start on empty env vars',
      '        → Give BRAVE_API_KEY a value, or the placeholder "not-configured" if it is optional.',
      '  WARN  channels.whatsapp.allowFrom[0] is a placeholder ("+46XXXXXXXXX"): messages from real numbers are silently dropped',
      '        → Replace it with the real E.164 number(s) before or right after the move.',
    ])
  })

  it('says nothing of findings or payload where it has none (a resumed run, an import)', () => {
    const shown = renderMigrationPlan(plan({findings: []}))
    expect(shown).not.toContain('Found on the source')
    expect(shown).not.toContain('To move:')
  })
})
