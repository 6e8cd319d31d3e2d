import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'


/** Reaches the guest on the target. */
export function guestStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, targetHost, name} = env
  return async () => {
    const shell = await driver.guestShell(targetHost, name, ctx)
    const uname = await shell.exec(['uname', '-sm'], {timeoutMs: 60_000})
    journal.update({guest: {label: shell.label, system: uname.stdout.trim()}})
    return `inside the guest at ${shell.label}: ${uname.stdout.trim()}`
  }
}
