import {fileDriver} from '../../../drivers/file/index.js'
import type {StepAction} from '../../../pipeline/runner.js'
import {formatHostSpec} from '../../../hosts/host-spec.js'
import {migrateState} from '../../state/migrate-state.js'
import {vmState} from '../vm-state.js'
import type {ImageStepEnv} from './env.js'

/** Moves the OpenClaw state from inside the source guest (a nested state move). */
export function stateStep(env: ImageStepEnv): StepAction {
  const {journal, driver, ctx, target, sourceHost, targetHost, name} = env
  const {options} = journal.data
  const vm = options.vm
  return async () => {
    // The state is read from inside the source guest, so it must run (its gateway is stopped by the file driver).
    if ((await vmState(driver, sourceHost, vm, ctx)) === 'stopped') {
      await driver.start(sourceHost, vm, ctx)
      journal.update({startedSource: true})
    }
    const from = await driver.guestShell(sourceHost, vm, ctx)
    const to = journal.data.target.kind === 'vm' ? await driver.guestShell(targetHost, name, ctx) : target
    for (const shell of [from, to]) if (shell.host.kind === 'guest') ctx.shells.register(shell)
    const state = options.state ?? {}
    const run = await migrateState({
      driver: fileDriver.name, from: formatHostSpec(from.host), to: formatHostSpec(to.host), sessions: state.sessions ?? 'include', dryRun: false, force: false,
      // The hooks are this run's own next step (journaled here, run where the state landed).
      skipHooks: true,
      ...withoutUndefined({user: state.user, targetUser: state.targetUser, targetHome: state.targetHome, stateDir: state.stateDir, targetStateDir: state.targetStateDir, profile: state.profile}),
      ...(journal.data.stateRun ? {resume: journal.data.stateRun} : {}),
    }, fileDriver, ctx, {}, {source: from.host, target: to.host})
    journal.update({stateRun: run.runId})
    return `OpenClaw state moved from inside ${vm} to ${to.label} by run ${run.runId}`
  }
}

function withoutUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>
}
