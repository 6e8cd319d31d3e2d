import type {z} from 'zod'

import {UnexpectedOutputError} from '../../errors.js'

/**
 * Parses a hypervisor CLI's JSON output with a zod schema. Anything that is not JSON, or JSON that
 * does not match the documented shape, becomes "unexpected <tool> output": a drift we must not
 * guess around (parse, never string-match).
 */
export function parseToolJson<S extends z.ZodType>(tool: string, what: string, host: string, text: string, schema: S): z.output<S> {
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new UnexpectedOutputError(tool, what, `not JSON (${(error as Error).message})`, host)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? issue.path.join('.') : '(top level)'
    throw new UnexpectedOutputError(tool, what, `${where}: ${issue?.message ?? 'does not match the schema'}`, host)
  }
  return parsed.data
}

/** The last non-empty line of a tool's stderr, which is where CLIs put their error message. */
export function lastLine(text: string): string {
  return text.trim().split('\n').filter((l) => l.trim()).pop()?.trim() ?? ''
}

/** Waits `ms` unless `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, {once: true})
  })
}

/**
 * Polls `check` until it returns a value (not undefined) or `timeoutMs` passes; then calls
 * `onTimeout` for the error to throw. Hypervisors report state changes asynchronously.
 */
export async function pollUntil<T>(check: () => Promise<T | undefined>, options: {timeoutMs: number; intervalMs?: number; signal?: AbortSignal; onTimeout: () => Error}): Promise<T> {
  const deadline = Date.now() + options.timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() >= deadline) throw options.onTimeout()
    await sleep(options.intervalMs ?? 1000, options.signal)
  }
}
