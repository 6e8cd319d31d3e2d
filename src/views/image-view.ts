import {IMAGE_STEP_DESCRIPTIONS} from '../pipeline/image-steps.js'
import type {ImageMigrationResult} from '../migrate/image/types.js'
import {formatBytes, table} from '../output/format.js'
import {nextLines, warningLines} from './footer.js'

/** The plan of a VM move (before anything changes, and for --dry-run). */
export function renderImagePlan(result: ImageMigrationResult): string {
  const vm = result.source.vm
  const out: string[] = []
  out.push(`VM migration plan${result.dryRun ? ' (dry run: nothing will change)' : ''} — driver ${result.driver}`)
  out.push(`  from  ${result.source.host}  ${vm.name} (${vm.state}, ${vm.os}/${vm.arch}${vm.cpus ? `, ${vm.cpus} CPU` : ''}${vm.memoryMiB ? `, ${vm.memoryMiB} MiB` : ''})`)
  out.push(`  to    ${result.target.host}  ${result.target.name}  (${result.target.arch ?? 'unknown'} host)`)
  out.push(`  mode  ${result.mode === 'state' ? 'state move (the OpenClaw state, not the image)' : result.mode}: ${result.modeReason}`)
  if (vm.disks.length > 0) {
    out.push('')
    out.push(table(['DISK', 'FORMAT', 'SIZE', 'DATA', 'FILE'], vm.disks.map((d) => [d.target, d.format, formatBytes(d.virtualBytes), formatBytes(d.allocatedBytes), d.path])))
    // An image move sends the data, not the apparent size (the same sum preflight checks the target's space for).
    // A state move sends the OpenClaw state instead, which is only measured inside the guest.
    if (result.mode !== 'state') {
      const data = vm.disks.reduce((n, d) => n + d.allocatedBytes, 0)
      const apparent = vm.disks.reduce((n, d) => n + d.virtualBytes, 0)
      out.push(`To move: ${formatBytes(data)} of disk data (${data} bytes; ${formatBytes(apparent)} apparent) in ${vm.disks.length} disk file(s).`)
    }
  }
  out.push('')
  out.push('Steps:')
  result.steps.forEach((s, i) => out.push(`  ${i + 1}. ${s.name.padEnd(10)} ${IMAGE_STEP_DESCRIPTIONS[s.name]}`))
  out.push(...warningLines(result.warnings))
  for (const n of result.nextSteps) out.push(n)
  return out.join('\n')
}

/** The outcome of a VM move. */
export function renderImageOutcome(result: ImageMigrationResult): string {
  const out: string[] = []
  out.push(`Run ${result.runId}: ${result.status === 'ok' ? 'migrated' : result.status} (${result.mode} mode, driver ${result.driver})`)
  out.push(table(['STEP', 'STATUS', 'DETAIL'], result.steps.map((s) => [s.name, s.status, s.detail ?? ''])))
  if (result.transfer) {
    const t = result.transfer
    out.push('')
    out.push(`Moved ${formatBytes(t.bytes)} of disk (${formatBytes(t.allocated)} of data, ${formatBytes(t.wireBytes)} on the wire) in ${t.seconds.toFixed(1)} s; every file verified with SHA-256 before import.`)
  }
  out.push(...nextLines(result.nextSteps))
  return out.join('\n')
}
