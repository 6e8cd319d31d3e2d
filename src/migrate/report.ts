import {describeRetargeted} from '../rewrite/retarget-host-specific.js'
import type {MigrationReport, MigrationResult} from './types.js'

const OS_NAME: Record<string, string> = {macos: 'macOS', linux: 'Linux'}
const SERVICE_KIND: Record<string, string> = {'launch-daemon': 'LaunchDaemon', 'launch-agent': 'LaunchAgent', 'systemd-unit': 'systemd unit', 'systemd-timer': 'systemd timer'}

type HookOutcome = NonNullable<MigrationResult['hooks']>['hooks'][number]

/** Pure: the report of a finished run (hooks included when they ran). */
export function migrationReport(result: MigrationResult): MigrationReport {
  const {source, target} = result
  const hook = (id: string): HookOutcome | undefined => result.hooks?.hooks.find((h) => h.id === id)
  const ok = (h: HookOutcome | undefined): h is HookOutcome => h?.status === 'changed' || h?.status === 'unchanged'
  const targetOs = result.hooks?.os ?? target.os

  const moved = result.roots.map((r) => `${r.label}: ${r.source} -> ${r.target}`)
  if (result.transfer) moved.push(`${result.transfer.files} files, ${result.transfer.bytes} bytes, each verified with SHA-256 before activation`)

  const rebuilt: string[] = []
  const memory = hook('ocvm/memory-index')
  if (memory?.status === 'changed') rebuilt.push('memory search index: rebuilt on the target with openclaw memory index --force')
  // 2026.7+ keeps the index in the state's SQLite (portable data): it moves, and stays current.
  if (memory?.status === 'unchanged') moved.push('memory search index: current on the target as moved (openclaw memory status), nothing to rebuild')
  const extensions = hook('ocvm/extensions')
  if (ok(extensions)) for (const c of extensions.changed.filter((l) => l.startsWith('npm install in '))) rebuilt.push(`plugin node_modules: not copied (native parts are per platform), ${c}`)
  for (const v of result.retargeted.filter((x) => x.action !== 'missing')) rebuilt.push(describeRetargeted(v))

  const translated: string[] = []
  if (source.os && targetOs && source.os !== targetOs) translated.push(`${OS_NAME[source.os] ?? source.os} -> ${OS_NAME[targetOs] ?? targetOs}`)
  if (source.home !== target.home) translated.push(`home ${source.home} -> ${target.home}: ${result.changes.length} path value(s) rewritten in ${new Set(result.changes.map((c) => c.file)).size} file(s)`)
  if (source.group && (source.user !== target.user || source.group !== target.group)) translated.push(`owner ${source.user}:${source.group} -> ${target.user}:${target.group}`)
  const services = hook('ocvm/services')
  if (ok(services)) {
    const made = targetOs === 'macos' ? 'LaunchDaemon' : 'systemd unit'
    const was = source.services.filter((s) => s.scope === 'system' || s.kind.startsWith('launch')).map((s) => `${SERVICE_KIND[s.kind] ?? s.kind} ${s.name}`)
    translated.push(`service: ${was.join(', ') || 'none on the source'} -> ${made} generated for the target (never copied)`)
    for (const c of services.changed.filter((l) => l.startsWith('JAVA_HOME') || l.startsWith('PATH'))) translated.push(`service environment: ${c}`)
  }
  const secrets = hook('ocvm/secrets')
  if (ok(secrets)) {
    const where = source.services.filter((s) => s.secretKeys.length > 0).map((s) => (s.kind.startsWith('launch') ? `${s.name} EnvironmentVariables` : s.environmentFiles.join(', ') || s.name))
    translated.push(`secrets: ${where.join(', ') || 'source'} -> ${targetOs === 'macos' ? 'the LaunchDaemon\'s EnvironmentVariables' : 'a root-only EnvironmentFile'} (values entered on the target, never copied)`)
  }
  const schedules = hook('ocvm/schedules')
  if (ok(schedules)) {
    const rotation = (source.schedules ?? []).filter((s) => s.kind === 'newsyslog' || s.kind === 'logrotate').map((s) => `${s.kind} ${s.source}`)
    const made = schedules.changed.find((l) => l.startsWith('/etc/'))
    if (made) translated.push(`log rotation: ${rotation.join(', ') || 'none on the source'} -> ${made}`)
    for (const c of schedules.changed.filter((l) => l.startsWith('crontab of '))) translated.push(c)
  }

  // Everything the run and the hooks leave to a person (the first next step only says how to go back).
  const manual = result.nextSteps.filter((s) => !s.startsWith('The source gateway '))
  return {moved, rebuilt, translated, manual}
}
