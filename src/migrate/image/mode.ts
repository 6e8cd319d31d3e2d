import type {CpuArch, ImageDriver, VmInfo} from '../../drivers/api.js'
import {UsageError} from '../../errors.js'
import type {ImageMigrateOptions, MoveMode} from './types.js'

export interface ModeInput {
  requested: ImageMigrateOptions['mode']
  live: boolean
  driver: ImageDriver
  vm: VmInfo
  /** `uname -m` of the target host, normalised. */
  targetArch: CpuArch
}

/**
 * Pure: decides how the VM moves and says why in words the plan shows. An image only moves where it
 * can boot (same CPU architecture, a hypervisor that exports and imports); otherwise the OpenClaw
 * state moves into a fresh VM. Forcing a mode that cannot work is refused with the reason.
 */
export function decideMode(input: ModeInput): {mode: MoveMode; reason: string} {
  const {driver, vm, targetArch} = input
  const caps = driver.capabilities
  const archOk = vm.arch === 'unknown' || targetArch === 'unknown' || vm.arch === targetArch
  const archWhy = `an ${vm.arch} ${vm.os === 'unknown' ? '' : `${vm.os} `}image does not boot on an ${targetArch} host`
  const canImage = caps.export && caps.import
  const noImage = `${driver.name} has no image export`
  const canState = typeof driver.provisionLike === 'function'

  if (input.live) {
    if (!caps.live || typeof driver.liveMigrate !== 'function') throw new UsageError(`the ${driver.name} driver cannot live-migrate`, 'Leave out --live: the VM is shut down, moved and started again.')
    if (!archOk) throw new UsageError(`cannot live-migrate: ${archWhy}`, 'Leave out --live to move the OpenClaw state into a new VM instead.')
    if (input.requested === 'state') throw new UsageError('--live moves the whole VM; it cannot be combined with --mode state', 'Choose one of them.')
    return {mode: 'live', reason: `--live: ${driver.name} moves the running VM with its storage`}
  }
  if (input.requested === 'image') {
    if (!canImage) throw new UsageError(`--mode image is impossible: ${noImage}`, canState ? 'Use --mode state (or leave --mode out): the OpenClaw state moves into a new VM.' : 'This driver cannot move the VM.')
    if (!archOk) throw new UsageError(`--mode image is impossible: ${archWhy}`, 'Use --mode state (or leave --mode out): the OpenClaw state moves into a new VM.')
    return {mode: 'image', reason: '--mode image'}
  }
  if (input.requested === 'state') {
    if (!canState) throw new UsageError(`--mode state is impossible: the ${driver.name} driver cannot create a fresh VM on the target`, 'Leave --mode out to move the whole image.')
    return {mode: 'state', reason: '--mode state: only the OpenClaw state moves, into a new VM'}
  }
  if (canImage && archOk) return {mode: 'image', reason: `${driver.name} exports and imports images, and the ${vm.arch} image can boot on the ${targetArch} target`}
  if (canState) return {mode: 'state', reason: `${canImage ? archWhy : noImage}: moving the OpenClaw state into a new VM instead`}
  throw new UsageError(`cannot move ${vm.name}: ${canImage ? archWhy : noImage}, and the ${driver.name} driver cannot create a VM on the target`, 'Move the OpenClaw state with --driver file between hosts instead.')
}

/** Pure: `uname -m` → CpuArch. */
export function normaliseArch(machine: string): CpuArch {
  const m = machine.trim()
  if (m === 'x86_64' || m === 'amd64') return 'x86_64'
  if (m === 'arm64' || m === 'aarch64') return 'arm64'
  return 'unknown'
}
