import type {Context} from '../../context.js'
import type {ImageDriver} from '../../drivers/api.js'
import {OcvmError, UsageError} from '../../errors.js'
import {formatHostSpec} from '../../hosts/host-spec.js'
import type {RunHosts} from '../../pipeline/run-hosts.js'
import {requireSpace} from '../../transfer/disk-space.js'
import {checkVmName, requireDriver} from '../../drivers/checks.js'
import {decideMode, normaliseArch} from './mode.js'
import {defaultStagingDir, stagingDirIn} from './staging.js'
import {imageSteps} from '../../pipeline/image-steps.js'
import type {ImageMigrateOptions, ImageMigrationState} from './types.js'

/** Checks both ends and builds the journal's initial state. Changes nothing. */
export async function imagePreflight(options: ImageMigrateOptions, driver: ImageDriver, runId: string, ctx: Context, hosts: RunHosts): Promise<ImageMigrationState> {
  checkVmName('--vm', options.vm)
  checkVmName('--target-name', options.targetName)
  const {source: sourceHost, target: targetHost} = hosts
  const source = ctx.shells.get(sourceHost)
  const target = ctx.shells.get(targetHost)
  const name = options.targetName ?? options.vm
  if (source.label === target.label && name === options.vm) {
    throw new UsageError('--from and --to are the same host', 'Give another --to, or --target-name to copy the VM under a new name on the same host.')
  }

  // Both ends are asked at once (each ssh connection is set up meanwhile); the source's error, if
  // any, is the one reported, as when they were asked in turn.
  const [sourceSide, targetSide] = await Promise.allSettled([
    requireDriver(driver, sourceHost, ctx, source).then(() => driver.inspect(sourceHost, options.vm, ctx)),
    Promise.all([
      target.exec(['uname', '-m'], {timeoutMs: 30_000}),
      driver.probe(targetHost, ctx).then(async (probe) => ({probe, existing: probe.available ? await driver.list(targetHost, ctx) : []})),
    ]),
  ])
  if (sourceSide.status === 'rejected') throw sourceSide.reason
  if (targetSide.status === 'rejected') throw targetSide.reason
  const vm = sourceSide.value
  const targetArch = normaliseArch(targetSide.value[0].stdout)
  const {probe: targetProbe, existing} = targetSide.value[1]
  let decision: {mode: ImageMigrationState['mode']; reason: string}
  let targetKind: 'vm' | 'host' = 'vm'
  if (targetProbe.available) {
    if (existing.some((v) => v.name === name)) {
      throw new OcvmError('target-exists', `a VM named "${name}" already exists on ${target.label}`, {hint: 'ocvm never overwrites a VM: pick another name with --target-name, or remove that VM yourself.'})
    }
    decision = decideMode({requested: options.mode, live: options.live, driver, vm, targetArch})
  } else {
    // No hypervisor on the target: it is a bare host, and only the OpenClaw state can go there.
    // One that is installed but unusable (licence, daemon down) is an error to fix, not a bare host.
    if (options.mode === 'image' || options.live || !targetProbe.missing) {
      throw new OcvmError('driver-unavailable', `cannot move the image: the ${driver.name} driver cannot work on ${target.label}${targetProbe.detail ? ` (${targetProbe.detail})` : ''}`, {
        hint: targetProbe.missing ? 'Install the hypervisor on the target, or leave out --mode image/--live to move the OpenClaw state onto it as a bare host.' : `Fix ${driver.name} on ${target.label} as the message says, then run again.`,
      })
    }
    targetKind = 'host'
    decision = {mode: 'state', reason: `${driver.name} is not on ${target.label}, so it is a bare host: moving the OpenClaw state out of the guest onto it`}
  }
  const {mode, reason} = decision
  const registry = registryRef(options, driver, mode)
  let stagingDir = options.stagingDir ?? defaultStagingDir(runId)
  if (mode === 'image' && !registry) {
    // The target's storage (pool, its libvirt URI, volume names) is checked now, not after the transfer.
    const placement = await driver.checkImport?.(targetHost, {vm, targetName: name, options: options.driverOptions}, ctx)
    if (!options.stagingDir && placement?.stagingParent) stagingDir = stagingDirIn(placement.stagingParent, runId)
    await requireSpace(target, stagingDir, vm.disks.reduce((n, d) => n + d.allocatedBytes, 0))
  }

  return {
    version: 1,
    kind: 'image',
    runId,
    createdAt: new Date().toISOString(),
    options,
    mode,
    modeReason: registry ? `${reason}; through the registry ${registry}` : reason,
    ...(registry ? {registry} : {}),
    source: {host: formatHostSpec(sourceHost), vm, wasRunning: vm.state !== 'stopped'},
    target: {host: formatHostSpec(targetHost), kind: targetKind, name, stagingDir, arch: targetArch},
    steps: imageSteps(mode, targetKind, registry ? 'registry' : 'files').map((s) => ({name: s, status: 'pending'})),
    committed: false,
    status: 'running',
  }
}

/** `--driver-opt registry=REF`: only for image moves, with a driver that has a registry transport. */
function registryRef(options: ImageMigrateOptions, driver: ImageDriver, mode: ImageMigrationState['mode']): string | undefined {
  const ref = options.driverOptions.registry
  if (ref === undefined) return undefined
  if (typeof ref !== 'string' || !driver.registryTransport) {
    throw new UsageError(`the ${driver.name} driver cannot move a VM through a registry`, 'Leave out --driver-opt registry=…: the VM files then stream from host to host.')
  }
  if (mode !== 'image') throw new UsageError(`--driver-opt registry only applies to image moves, and this run moves the ${mode === 'live' ? 'running VM live' : 'OpenClaw state'}`, 'Leave it out, or force an image move with --mode image.')
  driver.registryTransport.checkRef(ref)
  return ref
}
