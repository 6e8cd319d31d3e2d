import {OcvmError} from '../errors.js'

/**
 * One classification of the ways a step fails, for every plan: what the runner does next depends
 * on it (a full disk cannot be resumed into, damaged staging is sent again, the rest resumes).
 */
export type FailureKind = 'disk-full' | 'cancelled' | 'unreachable' | 'verify-failed' | 'other'

/** `signal`: the run's cancel signal (Ctrl-C): once it fired, whatever failed failed because of it. */
export function classifyFailure(error: unknown, signal?: AbortSignal): FailureKind {
  if (signal?.aborted) return 'cancelled'
  if (!(error instanceof OcvmError)) return 'other'
  const text = `${error.message} ${error.code}`
  if (/No space left|disk-full/.test(text)) return 'disk-full'
  if (error.code === 'verify-failed') return 'verify-failed'
  if (error.code === 'aborted' || error.code === 'cancelled') return 'cancelled'
  if (error.code === 'host-unreachable' || error.code === 'host-auth') return 'unreachable'
  return 'other'
}
