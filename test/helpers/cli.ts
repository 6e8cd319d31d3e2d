import path from 'node:path'

import {REPO_ROOT, run, type ExecOptions, type ExecResult} from './process.js'

export {REPO_ROOT}

export interface CliResult extends ExecResult {
  /** stdout parsed as JSON, when it is JSON. */
  json?: unknown
}

/** Runs the built CLI (`node bin/run.js`) as a user would, capturing output and exit code. */
export async function runCli(args: readonly string[], options: ExecOptions = {}): Promise<CliResult> {
  const result = await run(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), ...args], {
    timeoutMs: 120_000,
    ...options,
    env: {NO_COLOR: '1', ...options.env},
  })
  let json: unknown
  try {
    json = JSON.parse(result.stdout)
  } catch {
    json = undefined
  }
  return {...result, json}
}
