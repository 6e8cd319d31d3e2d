/**
 * argv of the lume commands ocvm runs (lume 0.5.x, reference/hypervisors.md §1.2). There is no
 * `lume export`/`import`/`start`: a VM moves as its directory, and starts with `lume run`.
 */
const storage = (s?: string) => (s === undefined ? [] : ['--storage', s])

export const lumeArgv = {
  version: () => ['lume', '--version'],
  list: () => ['lume', 'ls', '-f', 'json'],
  get: (name: string, storageName?: string) => ['lume', 'get', name, '-f', 'json', ...storage(storageName)],
  /** Graceful: asks the guest to shut down over ssh (its default lume account), waits `timeoutSec`. */
  shutdown: (name: string, timeoutSec: number) => ['lume', 'shutdown', name, '-t', String(timeoutSec)],
  /** Hard: SIGINT to the process that owns the VM, SIGKILL after 10 s. */
  stop: (name: string) => ['lume', 'stop', name],
  /** Headless and detached, so the VM outlives the ssh session that started it. */
  run: (name: string) => ['lume', 'run', name, '--no-display', '--detach'],
  delete: (name: string) => ['lume', 'delete', name, '--force'],
  storageAdd: (locationName: string, dir: string) => ['lume', 'config', 'storage', 'add', locationName, dir],
  storageList: () => ['lume', 'config', 'storage', 'list'],
}

/** The files that make a Lume VM; everything else in its dir (sessions.json, locks) is transient. */
export const LUME_VM_FILES = ['config.json', 'disk.img', 'nvram.bin'] as const
