import type {Context} from '../context.js'
import {ExternalCommandError, OcvmError} from '../errors.js'
import type {GuestShell, Hook, HookContext, NextStepKey, TargetOs} from './api.js'

export type HookStatus = 'unchanged' | 'changed' | 'planned' | 'not-applicable' | 'failed' | 'not-run'

/** What happened to one hook, for humans and `--json`. Never holds secret values (the runner redacts). */
export interface HookReport {
  id: string
  description: string
  onError: Hook['onError']
  /** The migration's next steps the hook takes care of when it succeeds (its `settles`). */
  settles?: NextStepKey[]
  status: HookStatus
  /** What it changed (apply), one line each. */
  changed: string[]
  /** What the check found missing, or what a dry run would change. */
  details: string[]
  /** Steps only a human can take, exactly. */
  actions: string[]
  error?: {code: string; message: string; hint?: string; output?: string}
  durationMs: number
}

export interface HookRunResult {
  /** `partial`: a `continue` hook failed (exit 3); `failed`: a `fail` hook failed (exit 1). */
  status: 'ok' | 'partial' | 'failed' | 'planned'
  host: string
  os: TargetOs
  osName: string
  dryRun: boolean
  hooks: HookReport[]
}

export interface HookRunOptions {
  shell: GuestShell
  os: TargetOs
  osName: string
  driver: string
  where: 'host' | 'guest'
  dryRun: boolean
  options: Record<string, unknown>
}

/** Whether the hook declares itself for this target. */
export function hookApplies(hook: Hook, target: {os: TargetOs; driver: string; where: 'host' | 'guest'}): boolean {
  const a = hook.appliesTo
  return (!a.os || a.os.includes(target.os)) && (!a.drivers || a.drivers.includes(target.driver)) && (!a.where || a.where.includes(target.where))
}

class HookTimeoutError extends OcvmError {
  constructor(id: string, phase: string, ms: number) {
    super('hook-timeout', `${id} did not finish its ${phase} within ${Math.round(ms / 1000)} s`, {hint: 'Run the hook again on its own with --verbose to see which command hangs: `ocvm hooks run ID --on HOST -v`.'})
  }
}

/** Runs `fn` with the hook's time limit; the commands it started keep their own timeouts. */
async function withTimeout<T>(fn: () => Promise<T>, ms: number, id: string, phase: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new HookTimeoutError(id, phase, ms)), ms)))])
  } finally {
    clearTimeout(timer)
  }
}

function describeError(error: unknown): NonNullable<HookReport['error']> {
  if (error instanceof OcvmError) {
    const output = error instanceof ExternalCommandError ? String(error.details.stderrTail ?? '') : undefined
    return {code: error.code, message: error.message, ...(error.hint ? {hint: error.hint} : {}), ...(output ? {output} : {})}
  }
  return {code: 'error', message: error instanceof Error ? error.message : String(error)}
}

/**
 * Runs hooks in order, each check → apply → verify. A hook whose check is satisfied is not applied
 * (re-runs are no-ops). `--dry-run` stops after check. A failing `continue` hook makes the run
 * partial; a failing `fail` hook stops the run (the rest are `not-run`).
 */
export async function runHooks(hooks: readonly Hook[], run: HookRunOptions, ctx: Context): Promise<HookRunResult> {
  const reports: HookReport[] = []
  let stopped = false
  const hookCtx: HookContext = {...ctx, shell: run.shell, os: run.os, driver: run.driver, where: run.where, dryRun: run.dryRun, options: run.options}
  for (const hook of hooks) {
    const base = {id: hook.id, description: hook.description, onError: hook.onError, ...(hook.settles?.length ? {settles: [...hook.settles]} : {}), changed: [], details: [], actions: []}
    if (stopped) {
      reports.push({...base, status: 'not-run', durationMs: 0})
      continue
    }
    if (!hookApplies(hook, run)) {
      reports.push({...base, status: 'not-applicable', details: [`applies to ${JSON.stringify(hook.appliesTo)}`], durationMs: 0})
      continue
    }
    const started = Date.now()
    const report: HookReport = {...base, status: 'unchanged', durationMs: 0}
    ctx.reporter.step(`${hook.id}: ${hook.description}`)
    try {
      const check = await withTimeout(() => hook.check(hookCtx), hook.timeoutMs, hook.id, 'check')
      report.details = check.details
      if (check.satisfied) report.status = 'unchanged'
      else if (run.dryRun) report.status = 'planned'
      else {
        const outcome = await withTimeout(() => hook.apply(hookCtx), hook.timeoutMs, hook.id, 'apply')
        report.changed = outcome.changed
        report.actions = outcome.actions ?? []
        const after = await withTimeout(() => hook.verify(hookCtx), hook.timeoutMs, hook.id, 'verify')
        if (!after.satisfied) {
          throw new OcvmError('hook-verify-failed', `${hook.id} applied, but its result does not hold: ${after.details.join('; ') || 'no detail'}`, {hint: after.details.length > 0 ? 'Fix what the details name, then run the hook again.' : undefined})
        }
        report.status = 'changed'
      }
    } catch (error) {
      report.status = 'failed'
      report.error = describeError(error)
      if (hook.onError === 'fail') stopped = true
    }
    report.durationMs = Date.now() - started
    reports.push(report)
  }
  return {status: overallStatus(reports, run.dryRun), host: run.shell.label, os: run.os, osName: run.osName, dryRun: run.dryRun, hooks: reports}
}

export function overallStatus(reports: readonly HookReport[], dryRun: boolean): HookRunResult['status'] {
  if (reports.some((r) => r.status === 'failed' && r.onError === 'fail')) return 'failed'
  if (reports.some((r) => r.status === 'failed')) return 'partial'
  return dryRun ? 'planned' : 'ok'
}
