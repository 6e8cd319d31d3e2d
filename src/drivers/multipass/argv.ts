/** argv of the multipass commands ocvm runs (canonical/multipass 1.16; reference/hypervisors.md §3.1). */
export const mpArgv = {
  version: () => ['multipass', 'version'],
  list: () => ['multipass', 'list', '--format', 'json'],
  info: (name: string) => ['multipass', 'info', name, '--format', 'json'],
  stop: (name: string, force = false) => ['multipass', 'stop', name, ...(force ? ['--force'] : [])],
  start: (name: string) => ['multipass', 'start', name],
  /** `-n`: do not map the host's working directory into the guest (there is none to map). */
  exec: (name: string, argv: readonly string[]) => ['multipass', 'exec', name, '-n', '--', ...argv],
  launch: (release: string, name: string, shape: LaunchShape) => [
    'multipass', 'launch', release, '--name', name, '--cpus', String(shape.cpus), '--memory', `${shape.memoryMiB}M`, '--disk', `${shape.diskGiB}G`, '--timeout', '900',
  ],
  purge: (name: string) => ['multipass', 'delete', name, '--purge'],
}

export interface LaunchShape {
  cpus: number
  memoryMiB: number
  diskGiB: number
}

const MiB = 1024 * 1024
const GiB = 1024 * MiB

/**
 * The `launch` sizes that reproduce an instance: the guest reports a little less memory and disk than
 * it was given (kernel reserve, filesystem overhead), so round up (memory to 256 MiB, disk to GiB).
 * Multipass' own defaults fill what a stopped source does not report (1 CPU, 1 GiB, 5 GiB).
 */
export function launchShape(like: {cpus?: number; memoryMiB?: number; diskBytes?: number}): LaunchShape {
  return {
    cpus: like.cpus && like.cpus > 0 ? like.cpus : 1,
    memoryMiB: like.memoryMiB && like.memoryMiB > 0 ? Math.ceil(like.memoryMiB / 256) * 256 : 1024,
    diskGiB: like.diskBytes && like.diskBytes > 0 ? Math.max(5, Math.ceil(like.diskBytes / GiB)) : 5,
  }
}

/** `22.04 LTS` / `Ubuntu 22.04.3 LTS` → `22.04` (what `multipass launch` takes). */
export function launchRelease(release: string | undefined): string | undefined {
  return /(\d{2}\.\d{2})/.exec(release ?? '')?.[1]
}

export const bytesToMiB = (bytes: number) => Math.round(bytes / MiB)
