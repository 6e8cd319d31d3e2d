import type {StepAction} from '../../../pipeline/runner.js'
import {transferRoots, verifyRoots, type CopyContext} from '../../copy-roots.js'
import type {StateStepEnv} from './env.js'

function copyContext({journal, source, target, ctx}: StateStepEnv): CopyContext {
  return {source, target, journal, reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {})}
}

/** --precopy: stage the state while the gateway still runs (the final pass sends only the delta). */
export function precopyStep(env: StateStepEnv): StepAction {
  return async () => {
    await transferRoots(copyContext(env), 'precopy')
    const p = env.journal.data.precopy
    return p ? `${p.files} files, ${p.bytes} bytes staged while the gateway ran (${p.wireBytes} on the wire)` : undefined
  }
}

/** Streams every root into its staging dir on the target, with a per-file manifest. */
export function transferStep(env: StateStepEnv): StepAction {
  return async () => {
    await transferRoots(copyContext(env))
    const t = env.journal.data.transfer
    return t ? `${t.files} files, ${t.bytes} bytes (${t.wireBytes} on the wire${t.resumedFiles ? `, ${t.resumedFiles} already there` : ''})` : undefined
  }
}

/** Checksums the staged copy again against the source manifest. */
export function verifyStep(env: StateStepEnv): StepAction {
  return async () => verifyRoots(copyContext(env))
}
