import type {AnyMigrationResult} from '../migrate/migrate.js'
import type {MigrationResult} from '../migrate/types.js'
import {renderImageOutcome, renderImagePlan} from './image-view.js'
import {STEP_DESCRIPTIONS} from '../pipeline/state-steps.js'
import {describeRetargeted} from '../rewrite/retarget-host-specific.js'
import {formatBytes, table} from '../output/format.js'
import {nextLines, warningLines} from './footer.js'
import {findingLines} from './inventory-view.js'

/** The plan (before anything changes, and for --dry-run). */
export function renderPlan(result: MigrationResult): string {
  const out: string[] = []
  out.push(`Migration plan${result.dryRun ? ' (dry run: nothing will change)' : ''}`)
  out.push(`  from  ${result.source.host}  user ${result.source.user}  ${result.source.stateDir}  (OpenClaw ${result.source.version ?? 'unknown'}, ${result.source.layout} layout)`)
  out.push(`  to    ${result.target.host}  user ${result.target.user}:${result.target.group}  ${result.target.stateDir}  (OpenClaw ${result.target.version ?? 'not installed'})`)
  out.push('')
  out.push(table(['WHAT', 'FROM', 'TO'], result.roots.map((r) => [r.label, r.source, r.target])))
  if (result.payload) out.push(`To move: ${formatBytes(result.payload.bytes)} (${result.payload.bytes} bytes) in ${result.payload.files} files.`)
  out.push('')
  out.push('Steps:')
  result.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.name.padEnd(12)} ${STEP_DESCRIPTIONS[s.name]}`))
  if (result.diffs.length > 0) {
    out.push('')
    out.push(`Path rewrites (${result.changes.length} value(s) in ${result.diffs.length} file(s)):`)
    for (const d of result.diffs) out.push(d.diff.trimEnd())
  }
  // Last before the question: what would break on the target as it breaks on the source today.
  if (result.findings && result.findings.length > 0) {
    const errors = result.findings.filter((f) => f.severity === 'error').length
    out.push('')
    out.push(`Found on the source (what \`ocvm inspect\` shows; the move carries them over${errors > 0 ? ': fix the ERRORs before or right after it' : ''}):`)
    out.push(...findingLines(result.findings))
  }
  out.push(...warningLines(result.warnings))
  for (const n of result.nextSteps) out.push(n)
  return out.join('\n')
}

/** The outcome of a run. */
export function renderOutcome(result: MigrationResult): string {
  const out: string[] = []
  out.push(`Run ${result.runId}: ${result.status === 'ok' ? 'migrated' : result.status === 'rolled-back' ? 'rolled back' : result.status}`)
  out.push(table(['STEP', 'STATUS', 'DETAIL'], result.steps.map((s) => [s.name, s.status, s.detail ?? ''])))
  if (result.transfer) {
    const t = result.transfer
    out.push('')
    out.push(`Moved ${t.files} files, ${formatBytes(t.bytes)} (${formatBytes(t.wireBytes)} on the wire) in ${t.seconds.toFixed(1)} s; every file verified with SHA-256 before activation.`)
  }
  if (result.downtime) {
    const d = result.downtime
    out.push(`Downtime: ${d.seconds.toFixed(1)} s (source gateway stopped → ${d.until === 'target-healthy' ? 'target gateway answered /health' : 'state committed on the target; no gateway started there'}), ${formatBytes(d.wireBytes)} sent after the stop.`)
  }
  if (result.changes.length > 0) {
    out.push('')
    out.push(`Rewrote ${result.changes.length} path(s):`)
    for (const c of result.changes.slice(0, 40)) out.push(`  ${c.file}  ${c.key}: ${c.from} -> ${c.to}`)
    if (result.changes.length > 40) out.push(`  … and ${result.changes.length - 40} more (--json lists them all)`)
  }
  if (result.report) {
    for (const [title, lines] of [['Rebuilt for this machine (not copied):', result.report.rebuilt], ['Translated for the target:', result.report.translated]] as const) {
      if (lines.length === 0) continue
      out.push('')
      out.push(title)
      for (const l of lines) out.push(`  ${l}`)
    }
  } else {
    const retargeted = result.retargeted.filter((v) => v.action !== 'missing')
    if (retargeted.length > 0) {
      out.push('')
      out.push('Re-detected for this host (not copied):')
      for (const v of retargeted) out.push(`  ${describeRetargeted(v)}`)
    }
  }
  out.push(...warningLines(result.warnings))
  out.push(...nextLines(result.nextSteps))
  return out.join('\n')
}

/** The plan of any migration, state move or VM move. */
export function renderMigrationPlan(result: AnyMigrationResult): string {
  return 'kind' in result && result.kind === 'image' ? renderImagePlan(result) : renderPlan(result as MigrationResult)
}

/** The outcome of any migration (or rollback), state move or VM move. */
export function renderMigrationOutcome(result: AnyMigrationResult): string {
  return 'kind' in result && result.kind === 'image' ? renderImageOutcome(result) : renderOutcome(result as MigrationResult)
}
