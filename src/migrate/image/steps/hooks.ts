import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'
import {describeHookRun} from '../../after-migrate.js'
import {runGuestHooks} from '../guest-hooks.js'

/** Runs the post-migrate hooks where the gateway now runs. */
export function hooksStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, sourceHost, targetHost, inputs} = env
  return async () => {
    if (journal.data.unreachableGuest) return 'not run: ocvm could not get into the guest (see the next steps)'
    const outcome = await runGuestHooks({state: journal.data, driver, sourceHost, targetHost, target, inputs}, ctx)
    if ('notFound' in outcome) {
      journal.update({warnings: [...(journal.data.warnings ?? []), outcome.notFound]})
      return 'no OpenClaw deployment in the guest: nothing to set up'
    }
    journal.update({hooks: outcome.run})
    return `${describeHookRun(outcome.run)} on ${outcome.run.host}`
  }
}
