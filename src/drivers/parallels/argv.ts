/** argv of the prlctl/prlsrvctl commands ocvm runs (Parallels Desktop Pro; reference/hypervisors.md §2.1). */
export const prlArgv = {
  version: () => ['prlctl', '--version'],
  licence: () => ['prlsrvctl', 'info', '--license', '--json'],
  serverInfo: () => ['prlsrvctl', 'info', '--json'],
  list: () => ['prlctl', 'list', '-a', '-j'],
  /** Per-VM `list -i` fills `Home`, which `list -a -i` may leave empty (a PD bug noted by prl-devops). */
  info: (vm: string) => ['prlctl', 'list', '-i', '-j', vm],
  /** `-f` reports the real IP in `ip_configured`. */
  full: (vm: string) => ['prlctl', 'list', vm, '-f', '-j'],
  /** Graceful (ACPI) unless `kill`. */
  stop: (vm: string, kill = false) => ['prlctl', 'stop', vm, ...(kill ? ['--kill'] : [])],
  /** Stops a suspended VM by discarding its saved memory state. */
  dropState: (vm: string) => ['prlctl', 'stop', vm, '--drop-state'],
  start: (vm: string) => ['prlctl', 'start', vm],
  /** A moved VM keeps its UUID only when asked: a copy with the same UUID confuses Parallels' list of registered VMs. */
  register: (bundle: string, preserveUuid: boolean) => ['prlctl', 'register', bundle, `--preserve-uuid=${preserveUuid ? 'yes' : 'no'}`],
  rename: (vm: string, name: string) => ['prlctl', 'set', vm, '--name', name],
  delete: (vm: string) => ['prlctl', 'delete', vm],
}
