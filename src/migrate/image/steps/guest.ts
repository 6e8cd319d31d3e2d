import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'
import {CancelledError, OcvmError} from '../../../errors.js'


/**
 * Reaches the guest on the target. The VM has moved and runs by now: a guest ocvm cannot get into
 * (no agent channel, no address) leaves only the hooks undone, so the run ends partial, saying how
 * to get in, instead of failing a move that worked.
 */
export function guestStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, targetHost, name} = env
  return async () => {
    try {
      const shell = await driver.guestShell(targetHost, name, ctx)
      const uname = await shell.exec(['uname', '-sm'], {timeoutMs: 60_000})
      journal.update({guest: {label: shell.label, system: uname.stdout.trim()}, unreachableGuest: undefined})
      return `inside the guest at ${shell.label}: ${uname.stdout.trim()}`
    } catch (error) {
      if (!(error instanceof OcvmError) || error instanceof CancelledError) throw error
      journal.update({unreachableGuest: {message: error.message, ...(error.hint ? {hint: error.hint} : {})}})
      return `could not get into the guest: ${error.message}`
    }
  }
}
