import type {ImageStepName, MoveMode} from './types.js'

export const IMAGE_STEP_DESCRIPTIONS: Record<ImageStepName, string> = {
  preflight: 'check both hosts: driver tools, the VM, nothing of that name on the target, free disk, where it can run',
  stop: 'shut the VM down gracefully (never export a running VM)',
  export: 'list the files that make up the VM (disks, definition, firmware state); the source is not changed',
  transfer: 'stream the files sparse-aware and compressed into a 0700 staging dir on the target, SHA-256 on both ends',
  verify: 're-checksum every staged file against the source',
  import: 'register the VM on the target from the verified files (never over an existing one)',
  start: 'start the VM on the target and wait until it runs',
  live: 'live-migrate the running VM with its storage through the hypervisor',
  provision: 'create a fresh VM on the target shaped like the source (same OS release, CPUs, memory, disk)',
  state: 'move the OpenClaw state from inside the source guest into the new guest (file driver)',
  guest: 'reach the guest on the target (its address, then a shell inside it)',
  report: 'summarise and list what needs a human',
}

export const IMAGE_STEPS: Record<MoveMode, ImageStepName[]> = {
  image: ['preflight', 'stop', 'export', 'transfer', 'verify', 'import', 'start', 'guest', 'report'],
  live: ['preflight', 'live', 'guest', 'report'],
  state: ['preflight', 'provision', 'state', 'guest', 'report'],
}

/** From this step on the target holds a new VM: before it, a failure leaves only staging behind. */
export const IMAGE_COMMIT_STEP: Record<MoveMode, ImageStepName> = {image: 'import', live: 'live', state: 'provision'}
