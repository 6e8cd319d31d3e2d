// The steps of the archive plans (`ocvm export`, `ocvm import --driver <hypervisor>`), in run
// order, with what each does in the words the progress shows. They run through the one runner;
// they do not resume (an export writes one file atomically, a VM import leaves the target as it was).

export type StateExportStep = 'quiesce' | 'pack' | 'restart'
export const STATE_EXPORT_STEPS: Record<StateExportStep, string> = {
  quiesce: 'stop the source gateway for the copy (no live SQLite goes into the archive)',
  pack: 'stream the state into the archive here, checking every entry and checksumming every file as it is written, then rename it into place',
  restart: '--restart: start the source gateway again',
}

export type VmExportStep = 'stop' | 'export' | 'transfer' | 'verify' | 'pack' | 'restart'
export const VM_EXPORT_STEPS: Record<VmExportStep, string> = {
  stop: 'shut the VM down gracefully (never export a running VM)',
  export: 'list the files that make up the VM; the source is not changed',
  transfer: 'copy the files sparse-aware into a partial dir here',
  verify: 're-checksum every copied file against the source',
  pack: 'write the manifest, then move the dir (or a sparse .tar of it) into place',
  restart: '--restart: start the VM again',
}

export type VmImportStep = 'transfer' | 'verify' | 'import' | 'start'
export const VM_IMPORT_STEPS: Record<VmImportStep, string> = {
  transfer: 'send the files sparse-aware into a 0700 staging dir on the target (a .tar is unpacked there)',
  verify: 're-checksum every staged file against the manifest',
  import: 'register the VM on the target from the verified files (never over an existing one)',
  start: '--start: start the VM on the target',
}

/** The step records a plan starts with: every step pending, except those the options leave out. */
export function initialSteps<N extends string>(names: readonly N[], skipped: ReadonlySet<N> = new Set()): Array<{name: N; status: 'pending' | 'skipped'}> {
  return names.map((name) => ({name, status: skipped.has(name) ? 'skipped' : 'pending'}))
}
