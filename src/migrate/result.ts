import type {Inventory} from '../deployment/types.js'
import type {NextStepKey} from '../postmigrate/api.js'
import {describeStop} from '../deployment/gateway-control.js'
import {describeQuarantine} from '../deployment/quarantine.js'
import {describeRetargeted} from '../rewrite/retarget-host-specific.js'
import type {MigrationResult, MigrationState} from './types.js'

export function danglingOnTarget(inv: Inventory): string[] {
  return inv.findings.filter((f) => f.code === 'path-not-found').map((f) => `on the target, ${f.message}`)
}

/**
 * The next steps post-migrate hooks can settle: the keys of what each asks for (hooks declare the keys
 * they settle) and the words its sentence opens with, by which after-migrate recognises it.
 */
export const KEYED_NEXT_STEPS = {
  service: {keys: ['service', 'secrets'], opens: 'Recreate the service and secrets on the target'},
  memoryIndex: {keys: ['memory-index'], opens: 'Rebuild the memory index on the target'},
  extensionDeps: {keys: ['extension-deps'], opens: 'Reinstall plugin dependencies'},
  signal: {keys: ['signal-link'], opens: 'Signal does not transfer'},
} as const satisfies Record<string, {keys: readonly NextStepKey[]; opens: string}>
const K = KEYED_NEXT_STEPS

export function nextSteps(state: MigrationState, inv: Inventory): string[] {
  const steps = [
    ...(state.liveAt ? [`Live now: the gateway on ${state.target.host} (it answered /health); only that one runs.`] : []),
    `The source gateway ${describeStop(state.stop)} and its state is untouched; \`ocvm migrate --rollback ${state.runId}\` puts it back.`,
    `${K.service.opens} (never copied): ${state.source.services.map((s) => s.name).join(', ') || 'no service file was found on the source'}.`,
    `${K.memoryIndex.opens}: openclaw memory index --force (as the service user).`,
  ]
  if (state.quarantined?.length) steps.push(...describeQuarantine(state.quarantined, state.target.stateDir).map((q) => `${q}: review it; the session starts fresh on the target`))
  for (const v of state.retargeted ?? []) if (v.action === 'missing') steps.push(describeRetargeted(v))
  if (inv.components.some((c) => c.kind === 'extension-deps' || c.kind === 'extensions')) steps.push(`${K.extensionDeps.opens}: npm install in each extensions/<id> dir.`)
  if (inv.components.some((c) => c.kind === 'signal' && c.present)) steps.push(`${K.signal.opens}: signal-cli link -n "OpenClaw" on the target and scan the QR code.`)
  if (inv.components.some((c) => c.kind === 'googlechat' && c.present)) steps.push('Google Chat: update the webhook URL in the Chat app if the host name changed.')
  return steps
}

function downtime(state: MigrationState): Pick<MigrationResult, 'downtime'> {
  const committedAt = state.steps.find((s) => s.name === 'commit')?.finishedAt
  const end = state.liveAt ?? (state.hooks ? undefined : committedAt)
  if (!state.stoppedAt || !end) return {}
  return {downtime: {seconds: (Date.parse(end) - Date.parse(state.stoppedAt)) / 1000, until: state.liveAt ? 'target-healthy' : 'committed', wireBytes: state.transfer?.wireBytes ?? 0}}
}

export function toResult(state: MigrationState, extra: Pick<MigrationResult, 'diffs' | 'warnings' | 'nextSteps'>): MigrationResult {
  return {
    runId: state.runId,
    status: state.status === 'completed' ? 'ok' : state.status === 'rolled-back' ? 'rolled-back' : state.status === 'running' ? 'planned' : 'failed',
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
    ...downtime(state),
    ...(state.archive ? {archive: (({rootPaths: _r, ...a}) => a)(state.archive)} : {}),
    ...extra,
  }
}
