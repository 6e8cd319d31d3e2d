import type {ExportResult} from '../archive/state/export.js'
import {formatBytes, table} from '../output/format.js'
import {nextLines, warningLines} from './footer.js'

/** What `ocvm export` did (or would do, with --dry-run). */
export function renderExport(result: ExportResult): string {
  const out: string[] = []
  const s = result.source
  out.push(result.dryRun ? 'Export plan (dry run: nothing will change)' : `Exported to ${result.file}`)
  out.push(`  from  ${s.host}  user ${s.user}  ${s.stateDir}  (OpenClaw ${s.version ?? 'unknown'}, ${s.layout} layout)`)
  out.push(`  gateway: ${result.gateway}`)
  out.push('')
  out.push(table(['WHAT', 'FROM', 'FILES', 'SIZE'], result.roots.map((r) => [r.label, r.source, r.files === undefined ? '' : String(r.files), r.bytes === undefined ? '' : formatBytes(r.bytes)])))
  if (result.sha256) {
    out.push('')
    out.push(`Archive: ${result.file} (${formatBytes(result.bytes ?? 0)}, ${result.compression === 'zstd' ? 'tar + zstd' : 'plain tar'}; ${result.files} files, ${formatBytes(result.unpackedBytes ?? 0)} unpacked) in ${(result.seconds ?? 0).toFixed(1)} s`)
    out.push(`SHA-256: ${result.sha256}`)
  }
  out.push(...warningLines(result.warnings))
  out.push(...nextLines(result.nextSteps))
  return out.join('\n')
}
