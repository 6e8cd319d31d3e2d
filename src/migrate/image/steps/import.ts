import type {StepAction} from '../../../pipeline/runner.js'
import {required, type ImageStepEnv} from './env.js'

/** Registers the VM on the target from the verified files. */
export function importStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, targetHost, name} = env
  const {options} = journal.data
  return async () => {
    const exportSet = required(journal.data.exportSet, 'export')
    // Killed after the VM was defined and recorded: only the staging dir is left to remove.
    const imported = journal.data.imported ?? await driver.importVm(targetHost, {exportSet, stagingDir: journal.data.target.stagingDir, targetName: name, options: options.driverOptions, dryRun: false}, ctx)
    journal.update({imported})
    await target.exec(['rm', '-rf', '--', journal.data.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
    return `${imported.name} defined on ${target.label}`
  }
}
