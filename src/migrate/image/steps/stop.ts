import type {StepAction} from '../../../pipeline/runner.js'
import type {ImageStepEnv} from './env.js'
import {OcvmError} from '../../../errors.js'
import {vmState} from '../vm-state.js'

/** Shuts the source VM down gracefully (never export a running VM). */
export function stopStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, source, sourceHost} = env
  const {options} = journal.data
  const vm = options.vm
  return async () => {
    const noBoot = await disableAutostart(env)
    if ((await vmState(driver, sourceHost, vm, ctx)) === 'stopped') return `${journal.data.source.wasRunning ? 'already stopped' : 'was not running'}${noBoot}`
    journal.update({stopRequestedAt: new Date().toISOString()})
    await driver.stop(sourceHost, vm, ctx, {timeoutMs: options.stopTimeoutSec * 1000, force: options.forceStop})
    const after = await vmState(driver, sourceHost, vm, ctx)
    if (after !== 'stopped') throw new OcvmError('stop-failed', `${vm} is still ${after} on ${source.label}`, {hint: 'Shut the guest down from inside, or pass --force-stop to power it off after the timeout.'})
    return `${vm} shut down${noBoot}`
  }
}

/**
 * The cutover: a reboot of the source host must not start the old VM next to the moved one. What
 * it was is journaled first, so rollback (and the target, once the moved VM runs) gets it back.
 */
async function disableAutostart({journal, driver, ctx, sourceHost}: ImageStepEnv): Promise<string> {
  if (!driver.autostart) return ''
  const {source, options} = journal.data
  if (source.autostart === undefined) journal.update({source: {...source, autostart: await driver.autostart(sourceHost, options.vm, ctx)}})
  if (!journal.data.source.autostart) return ''
  await driver.autostart(sourceHost, options.vm, ctx, false)
  return '; autostart at boot turned off on the source'
}
