import type {Context} from '../context.js'
import type {HostSpec} from '../hosts/host-spec.js'
import type {HookContext} from '../postmigrate/api.js'
import {detectOs} from '../postmigrate/os.js'
import {resolveInputs} from '../postmigrate/session.js'
import {CHECKS, CLI_CHECK_ID, type CheckResult, type VerifyCheck} from './checks.js'

export interface VerifyOptions {
  on: HostSpec
  user?: string
  stateDir?: string
  profile?: string
  /** How long to wait for a starting gateway to answer /health. */
  waitMs: number
}

export interface VerifyResult {
  status: 'ok' | 'failed'
  host: string
  os: string
  user: string
  stateDir: string
  checks: CheckResult[]
}

/** The guide's Step 8 checklist, machine-checked on the target. Changes nothing. */
export async function verifyTarget(options: VerifyOptions, ctx: Context): Promise<VerifyResult> {
  const shell = ctx.shells.get(options.on)
  const os = await detectOs(shell)
  const inputs = await resolveInputs({on: options.on, dryRun: true, ...(options.user ? {user: options.user} : {}), ...(options.stateDir ? {stateDir: options.stateDir} : {}), ...(options.profile ? {profile: options.profile} : {})}, ctx)
  const hookCtx: HookContext = {...ctx, shell, os: os.os, driver: 'file', where: 'host', dryRun: true, options: {...inputs}}
  const checks = await runChecks(CHECKS, hookCtx, {waitMs: options.waitMs})
  return {status: checks.some((c) => c.status === 'fail') ? 'failed' : 'ok', host: shell.label, os: os.name, user: inputs.user, stateDir: inputs.stateDir, checks}
}

/**
 * Runs `checks` in order; one that throws fails with the error's message and hint. A check that
 * runs the CLI is skipped when the CLI check did not pass: one root cause, reported once.
 */
export async function runChecks(checks: readonly VerifyCheck[], ctx: HookContext, opts: {waitMs: number}): Promise<CheckResult[]> {
  const results: CheckResult[] = []
  for (const check of checks) {
    const cli = results.find((r) => r.id === CLI_CHECK_ID)
    if (check.needsCli && cli && cli.status !== 'pass') {
      results.push({id: check.id, title: check.title, status: 'skipped', detail: 'needs the openclaw CLI (see above)'})
      continue
    }
    ctx.reporter.step(`verify: ${check.title}`)
    try {
      results.push({id: check.id, title: check.title, ...(await check.run(ctx, opts))})
    } catch (error) {
      const e = error as {message?: string; hint?: string}
      results.push({id: check.id, title: check.title, status: 'fail', detail: e.message ?? String(error), ...(e.hint ? {fix: e.hint} : {})})
    }
  }
  return results
}
