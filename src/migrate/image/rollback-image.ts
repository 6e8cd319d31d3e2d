import type {Context} from '../../context.js'
import type {ImageDriver, VmInfo} from '../../drivers/api.js'
import {UnsupportedError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {journaledHosts} from '../../pipeline/run-hosts.js'
import {Journal} from '../../pipeline/journal.js'
import {rollbackState} from '../state/rollback-state.js'
import {toImageResult} from './migrate-image.js'
import {removeExportScratch} from './scratch.js'
import type {ImageMigrationResult, ImageMigrationState} from './types.js'
import {vmState} from './vm-state.js'

/**
 * Undo a VM migration: remove what ocvm created on the target (the imported or provisioned VM, the
 * staging dir) and start the source VM again if it was running. The source's files were never changed.
 */
export async function rollbackImage(runId: string, driver: ImageDriver, ctx: Context): Promise<ImageMigrationResult> {
  const journal = Journal.open<ImageMigrationState>(runId)
  const state = journal.data
  if (state.mode === 'live' && state.committed) {
    throw new UnsupportedError(`run ${runId} live-migrated ${state.source.vm.name}; the source no longer has it`, `Migrate it back: ocvm migrate --driver ${state.options.driver} --vm ${state.target.name} --from ${state.options.to} --to ${state.options.from} --live`)
  }
  const {source: sourceHost, target: targetHost} = journaledHosts(state.options)
  const target = ctx.shells.get(targetHost)
  const done: string[] = []
  if (state.stateRun) {
    const from = await driver.guestShell(sourceHost, state.source.vm.name, ctx)
    if (from.host.kind === 'guest') ctx.shells.register(from)
    await rollbackState(state.stateRun, ctx)
    done.push(`state run ${state.stateRun} rolled back inside the source guest`)
  }
  if (state.imported) {
    const existing = await driver.list(targetHost, ctx)
    const vm = existing.find((v) => v.name === state.imported?.name)
    if (vm) {
      // It is about to be deleted: a short courtesy shutdown, then power off (a guest still booting ignores ACPI).
      if (vm.state !== 'stopped') await driver.stop(targetHost, vm.name, ctx, {timeoutMs: 5_000, force: true})
      await driver.removeImported(targetHost, vm.name, ctx)
      done.push(`${vm.name} removed from ${target.label}`)
    }
  }
  // An import cut short left things the journal does not know of; the driver recorded them in staging.
  if (!state.imported && state.exportSet && driver.abandonImport) {
    await driver.abandonImport(targetHost, {exportSet: state.exportSet, stagingDir: state.target.stagingDir, targetName: state.target.name, options: state.options.driverOptions, dryRun: false}, ctx)
  }
  await target.exec(['rm', '-rf', '--', state.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
  await removeExportScratch(ctx.shells.get(sourceHost), state.exportSet)
  if (state.source.autostart && driver.autostart) {
    await driver.autostart(sourceHost, state.source.vm.name, ctx, true)
    done.push(`${state.source.vm.name} starts at boot on ${state.source.host} again`)
  }
  if (state.source.wasRunning && state.mode !== 'state') {
    const now = await settledSource(state, driver, sourceHost, ctx)
    if (now === 'stopped') {
      await driver.start(sourceHost, state.source.vm.name, ctx)
      done.push(`${state.source.vm.name} started again on ${state.source.host}`)
    }
  }
  journal.update({status: 'rolled-back', committed: false})
  return toImageResult(journal.data, done.length > 0 ? done : ['Nothing needed undoing.'])
}

/**
 * The source VM's state once a shutdown that ocvm asked for before it died has played out: a guest
 * still running right after an interrupted stop step may be on its way down, and starting it again
 * only counts once it is off.
 */
async function settledSource(state: ImageMigrationState, driver: ImageDriver, host: HostSpec, ctx: Context): Promise<VmInfo['state']> {
  const name = state.source.vm.name
  let now = await vmState(driver, host, name, ctx)
  if (state.steps.find((s) => s.name === 'stop')?.status !== 'running' || !state.stopRequestedAt) return now
  const waitSec = Math.min(state.options.stopTimeoutSec, 60)
  if (now !== 'stopped') ctx.reporter.step(`Waiting up to ${waitSec} s for ${name} to finish the shutdown asked for before the run was interrupted`)
  const deadline = Date.now() + waitSec * 1000
  while (now !== 'stopped' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000))
    now = await vmState(driver, host, name, ctx)
  }
  return now
}
