import type {Context} from '../../context.js'
import type {ImageDriver} from '../../drivers/api.js'
import {UnsupportedError} from '../../errors.js'
import {parseHostSpec} from '../../hosts/host-spec.js'
import {Journal} from '../journal.js'
import {rollback as rollbackState} from '../rollback.js'
import {toImageResult} from './migrate-image.js'
import {removeExportScratch} from './scratch.js'
import type {ImageMigrationResult, ImageMigrationState} from './types.js'

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
  const sourceHost = parseHostSpec(state.options.from)
  const targetHost = parseHostSpec(state.options.to)
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
      if (vm.state !== 'stopped') await driver.stop(targetHost, vm.name, ctx, {timeoutMs: 120_000, force: true})
      await driver.removeImported(targetHost, vm.name, ctx)
      done.push(`${vm.name} removed from ${target.label}`)
    }
  }
  await target.exec(['rm', '-rf', '--', state.target.stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
  await removeExportScratch(ctx.shells.get(sourceHost), state.exportSet)
  if (state.source.wasRunning && state.mode !== 'state') {
    const now = await driver.inspect(sourceHost, state.source.vm.name, ctx)
    if (now.state === 'stopped') {
      await driver.start(sourceHost, state.source.vm.name, ctx)
      done.push(`${state.source.vm.name} started again on ${state.source.host}`)
    }
  }
  journal.update({status: 'rolled-back', committed: false})
  return toImageResult(journal.data, done.length > 0 ? done : ['Nothing needed undoing.'])
}
