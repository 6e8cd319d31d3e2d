/** How a VM moves: its image (cold), live through the hypervisor, or only the OpenClaw state inside it. */
export type MoveMode = 'image' | 'live' | 'state'

export type ImageStepName =
  | 'preflight' | 'stop' | 'export' | 'transfer' | 'verify' | 'import' | 'start'
  | 'push' | 'pull' | 'live' | 'provision' | 'state' | 'guest' | 'hooks' | 'report'

export const IMAGE_STEP_DESCRIPTIONS: Record<ImageStepName, string> = {
  preflight: 'check both hosts: driver tools, the VM, nothing of that name on the target, free disk, where it can run',
  stop: 'shut the VM down gracefully (never export a running VM)',
  export: 'list the files that make up the VM (disks, definition, firmware state); the source is not changed',
  transfer: 'stream the files sparse-aware and compressed into a 0700 staging dir on the target, SHA-256 on both ends',
  verify: 're-checksum every staged file against the source',
  import: 'register the VM on the target from the verified files (never over an existing one)',
  start: 'start the VM on the target and wait until it runs',
  push: 'push the stopped VM to the image registry (the source VM is not changed)',
  pull: 'pull it from the registry onto the target as a new VM (never over an existing one)',
  live: 'live-migrate the running VM with its storage through the hypervisor',
  provision: 'create a fresh VM on the target shaped like the source (same OS release, CPUs, memory, disk)',
  state: 'move the OpenClaw state from inside the source guest into the new guest (file driver)',
  guest: 'reach the guest on the target (its address, then a shell inside it)',
  hooks: 'post-migrate hooks where the gateway now runs (inside the guest, or on the bare target): secrets, service, schedules, index, networking',
  report: 'summarise and list what needs a human',
}

/** The explicit step list of a run: by mode, and for state moves by what the target is. */
export function imageSteps(mode: MoveMode, target: 'vm' | 'host', via: 'files' | 'registry' = 'files'): ImageStepName[] {
  if (mode === 'image' && via === 'registry') return ['preflight', 'stop', 'push', 'pull', 'start', 'guest', 'hooks', 'report']
  if (mode === 'image') return ['preflight', 'stop', 'export', 'transfer', 'verify', 'import', 'start', 'guest', 'hooks', 'report']
  if (mode === 'live') return ['preflight', 'live', 'guest', 'hooks', 'report']
  return target === 'vm' ? ['preflight', 'provision', 'state', 'guest', 'hooks', 'report'] : ['preflight', 'state', 'hooks', 'report']
}

/** From this step on the target holds something new: before it, a failure leaves only staging behind. */
export function commitStep(mode: MoveMode, target: 'vm' | 'host', via: 'files' | 'registry' = 'files'): ImageStepName {
  if (mode === 'image') return via === 'registry' ? 'pull' : 'import'
  if (mode === 'live') return 'live'
  return target === 'vm' ? 'provision' : 'state'
}
