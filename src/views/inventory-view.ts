import type {Finding, Inventory} from '../deployment/types.js'
import {formatBytes, table} from '../output/format.js'

const SEVERITY_MARK = {error: 'ERROR', warning: 'WARN ', info: 'info '} as const

/** The human report of `ocvm inspect`. */
export function renderInventory(inv: Inventory): string {
  const out: string[] = []
  // Paths under the inspected user's home are shown as ~/… to keep the table readable.
  const short = (p: string) => (p === inv.home ? '~' : p.startsWith(`${inv.home}/`) ? `~/${p.slice(inv.home.length + 1)}` : p)
  out.push(`OpenClaw deployment on ${inv.host} (${inv.os.kernel}/${inv.os.arch})`)
  out.push(`  user        ${inv.user} (home ${inv.home})`)
  out.push(`  state dir   ${short(inv.stateDir)}  [${inv.stateDirSource}]`)
  out.push(`  config      ${short(inv.configPath)}${inv.configFiles.length > 1 ? ` + ${inv.configFiles.length - 1} $include file(s)` : ''}`)
  if (inv.profile) out.push(`  profile     ${inv.profile}`)
  out.push(`  version     config ${inv.version.config ?? 'unknown'}, CLI ${inv.version.cli ?? 'not found'}`)
  out.push(`  layout      ${inv.layout.generation} (${inv.layout.evidence})`)
  out.push(`  gateway     ${inv.gateway.running ? `RUNNING (pid ${inv.gateway.processes.map((p) => p.pid).join(', ')})` : 'not running'}`)
  out.push('')

  const rows = inv.components.map((c) => [
    c.present ? c.title : `${c.title} —`,
    c.present ? c.treatment : '',
    c.present ? formatBytes(c.sizeBytes) : '',
    c.present ? String(c.fileCount) : '',
    c.present ? c.paths.slice(0, 2).map(short).join(', ') + (c.paths.length > 2 ? ` (+${c.paths.length - 2})` : '') + (c.outsideStateDir ? '  [outside state dir]' : '') : 'not present',
  ])
  out.push(table(['COMPONENT', 'TREATMENT', 'SIZE', 'FILES', 'WHERE'], rows))
  out.push('')
  out.push(`Total ${formatBytes(inv.totals.sizeBytes)} in ${inv.totals.fileCount} files; ${formatBytes(inv.totals.transferBytes)} to transfer.`)

  if (inv.secrets.length > 0) {
    out.push('')
    out.push('Secrets (names only; values are never read off the host):')
    for (const s of inv.secrets) out.push(`  ${s.name.padEnd(32)} ${s.state.padEnd(11)} ${s.sources.map(short).join(', ')}`)
  }
  if (inv.services.length > 0) {
    out.push('')
    out.push('Service files (recreated on the target, never copied):')
    for (const s of inv.services) out.push(`  ${s.kind.padEnd(14)} ${s.name}${s.runAs ? ` (runs as ${s.runAs})` : ''}  ${s.path}`)
  }
  if (inv.schedules.length > 0) {
    out.push('')
    out.push('Scheduled tasks (recreated with translated paths):')
    for (const t of inv.schedules) {
      out.push(`  ${t.kind.padEnd(14)} ${t.source}  [${t.purpose.join(', ')}]`)
      for (const line of t.lines.slice(0, 5)) out.push(`      ${line}`)
    }
  }
  out.push('')
  if (inv.findings.length === 0) out.push('No findings: nothing needs your attention before moving.')
  else out.push('Findings:', ...findingLines(inv.findings))
  return out.join('\n')
}

/** Findings as inspect shows them (a migration plan shows the same lines): the mark, the message, the hint. */
export function findingLines(findings: readonly Finding[]): string[] {
  return findings.flatMap((f) => [`  ${SEVERITY_MARK[f.severity]} ${f.message}`, `        → ${f.hint}`])
}
