import type {HookRunResult} from '../postmigrate/engine.js'
import type {VerifyResult} from '../verify/verify.js'
import {table} from '../output/format.js'

const MARK: Record<string, string> = {unchanged: 'ok', changed: 'changed', planned: 'would change', 'not-applicable': 'n/a', failed: 'FAILED', 'not-run': 'not run'}

/** Each hook's outcome, then what it changed, what failed with its output, and what a human must do. */
export function renderHookRun(result: HookRunResult): string {
  const out: string[] = []
  out.push(`Hooks on ${result.host} (${result.osName})${result.dryRun ? ' — dry run, nothing changed' : ''}: ${result.status}`)
  out.push(table(['HOOK', 'RESULT', 'SUMMARY'], result.hooks.map((h) => [h.id, MARK[h.status] ?? h.status, h.status === 'failed' ? (h.error?.message ?? '') : (h.changed[0] ?? h.details[0] ?? '')])))
  for (const h of result.hooks) {
    const lines = h.status === 'planned' ? h.details : h.status === 'changed' ? h.changed : []
    if (lines.length > 1 || (h.status === 'planned' && lines.length > 0)) {
      out.push('', `${h.id}:`)
      for (const l of lines) out.push(`  ${h.status === 'planned' ? '~' : '+'} ${l}`)
    }
    if (h.error) {
      out.push('', `${h.id} failed: ${h.error.message}`)
      if (h.error.output) out.push(h.error.output.replace(/^/gm, '  | '))
      if (h.error.hint) out.push(`  fix: ${h.error.hint}`)
    }
  }
  const actions = result.hooks.flatMap((h) => h.actions.map((a) => `[${h.id}] ${a}`))
  if (actions.length > 0) {
    out.push('', 'You need to:')
    for (const a of actions) out.push(`  - ${a}`)
  }
  return out.join('\n')
}

const CHECK_MARK = {pass: 'ok  ', fail: 'FAIL', skipped: 'skip', 'n/a': 'n/a '} as const

export function renderVerify(result: VerifyResult): string {
  const failed = result.checks.filter((c) => c.status === 'fail').length
  const skipped = result.checks.filter((c) => c.status === 'skipped').length
  const verdict = result.status === 'ok' ? 'all checks pass' : `${failed} check(s) FAILED${skipped > 0 ? `, ${skipped} skipped because of them` : ''}`
  const out = [`Verify ${result.host} (${result.os}), user ${result.user}, ${result.stateDir}: ${verdict}`]
  for (const c of result.checks) {
    out.push(`${CHECK_MARK[c.status]}  ${c.title}: ${c.detail}`)
    if (c.status === 'fail' && c.fix) out.push(`      fix: ${c.fix}`)
  }
  return out.join('\n')
}
