import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'


/** Lists the files that make up the VM; the source is not changed. */
export function exportStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, sourceHost} = env
  const {options} = journal.data
  const vm = options.vm
  return async () => {
    const exportSet = await driver.exportVm(sourceHost, vm, ctx)
    journal.update({exportSet})
    return `${exportSet.files.length} file(s): ${exportSet.files.map((f) => f.relPath).join(', ')}`
  }
}
