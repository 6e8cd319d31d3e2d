import type {StepAction} from '../../../pipeline/runner.js'
import {verifyFiles} from '../../../transfer/files.js'
import {removeExportScratch} from '../scratch.js'
import {required, type ImageStepEnv} from './env.js'

/** Checksums every staged file against the source, then drops the export scratch. */
export function verifyStep(env: ImageStepEnv): StepAction {
  const {journal, ctx, source, target} = env
  return async () => {
    const facts = required(journal.data.facts, 'transfer')
    const files = required(journal.data.exportSet, 'export').files
    // A damaged file is sent again on --resume (the runner sends the transfer step back to pending).
    await verifyFiles({target, stagingDir: journal.data.target.stagingDir, facts, origin: {shell: source, files}, ...(ctx.signal ? {signal: ctx.signal} : {})})
    await removeExportScratch(source, journal.data.exportSet)
    return `${facts.length} file(s) verified (SHA-256)`
  }
}
