import type {StepAction} from '../../../pipeline/runner.js'
import {sendFiles} from '../../../transfer/files.js'
import {required, type ImageStepEnv} from './env.js'

/** Streams the exported files into staging on the target, journaled per file. */
export function transferStep(env: ImageStepEnv): StepAction {
  const {journal, ctx, source, target} = env
  return async () => {
    const exportSet = required(journal.data.exportSet, 'export')
    const started = Date.now()
    const sent = await sendFiles({
      source, target, files: exportSet.files, stagingDir: journal.data.target.stagingDir, compress: true,
      ...(journal.data.facts ? {facts: journal.data.facts} : {}), reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {}),
      // onFailure removes staging and adds how to resume or go back.
      diskFullHint: `Nothing was defined on ${target.label} and the staging dir is removed; the source VM's disks are untouched (a VM that was running stays shut down until --rollback). Make room on ${target.label}, or go back and run again with --staging-dir on a bigger filesystem.`,
      // Recorded per file, so a resume after a crash does not send again what had arrived.
      onSent: (fact) => journal.update({facts: [...(journal.data.facts ?? []).filter((f) => f.relPath !== fact.relPath), fact]}),
    })
    journal.update({facts: sent.facts, transfer: {bytes: sent.bytes, allocated: sent.allocated, wireBytes: sent.wireBytes, seconds: (Date.now() - started) / 1000, resumedFiles: sent.resumedFiles}})
    return `${sent.bytes} bytes apparent, ${sent.allocated} allocated, ${sent.wireBytes} on the wire${sent.resumedFiles ? `, ${sent.resumedFiles} file(s) already there` : ''}`
  }
}
