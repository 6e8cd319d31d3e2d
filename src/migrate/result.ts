import type {Inventory} from '../deployment/types.js'
import {describeStop} from '../deployment/gateway-control.js'
import {describeQuarantine} from '../deployment/quarantine.js'
import {describeRetargeted} from '../rewrite/retarget-host-specific.js'
import type {MigrationResult, MigrationState} from './types.js'

export function danglingOnTarget(inv: Inventory): string[] {
  return inv.findings.filter((f) => f.code === 'path-not-found').map((f) => `on the target, ${f.message}`)
}

export function nextSteps(state: MigrationState, inv: Inventory): string[] {
  const steps = [
    `The source gateway ${describeStop(state.stop)} and its state is untouched; \`ocvm migrate --rollback ${state.runId}\` starts it again.`,
    `Recreate the service and secrets on the target (never copied): ${state.source.services.map((s) => s.name).join(', ') || 'no service file was found on the source'}.`,
    'Rebuild the memory index on the target: openclaw memory index --force (as the service user).',
  ]
  if (state.quarantined?.length) steps.push(...describeQuarantine(state.quarantined, state.target.stateDir).map((q) => `${q}: review it; the session starts fresh on the target`))
  for (const v of state.retargeted ?? []) if (v.action === 'missing') steps.push(describeRetargeted(v))
  if (inv.components.some((c) => c.kind === 'extension-deps' || c.kind === 'extensions')) steps.push('Reinstall plugin dependencies: npm install in each extensions/<id> dir.')
  if (inv.components.some((c) => c.kind === 'signal' && c.present)) steps.push('Signal does not transfer: signal-cli link -n "OpenClaw" on the target and scan the QR code.')
  if (inv.components.some((c) => c.kind === 'googlechat' && c.present)) steps.push('Google Chat: update the webhook URL in the Chat app if the host name changed.')
  return steps
}

export function toResult(state: MigrationState, extra: Pick<MigrationResult, 'diffs' | 'warnings' | 'nextSteps'>): MigrationResult {
  return {
    runId: state.runId,
    status: state.status === 'completed' || state.status === 'rolled-back' ? 'ok' : state.status === 'running' ? 'planned' : 'failed',
    dryRun: false,
    source: state.source,
    target: state.target,
    roots: state.roots.map(({label, source, target, bytes, files}) => ({label, source, target, bytes, files})),
    steps: state.steps,
    changes: state.changes,
    quarantined: state.quarantined ?? [],
    retargeted: state.retargeted ?? [],
    ...(state.transfer ? {transfer: state.transfer} : {}),
    ...(state.precopy ? {precopy: state.precopy} : {}),
    ...(state.archive ? {archive: (({rootPaths: _r, ...a}) => a)(state.archive)} : {}),
    ...extra,
  }
}
