/**
 * The MUST / MUST NOT rules of src/drivers/api.ts that the kit checks, quoted word for word from
 * that file's TSDoc (a unit test keeps each `quote` verbatim there), so every check's name says
 * which rule a failure breaks. `on` names the member whose TSDoc holds a quote that does not name it.
 */
export interface Rule {
  on?: string
  quote: string
}

export const RULES = {
  name: {quote: '`name` MUST match `/^[a-z][a-z0-9-]{0,30}$/`'},
  apiVersion: {quote: '`apiVersion` MUST be `DRIVER_API_VERSION`'},
  description: {on: '`description`:', quote: 'One line for `ocvm drivers list`'},
  capabilities: {quote: '`capabilities` MUST tell the truth'},
  imageVerbs: {quote: "An image-level driver (`level: 'image'`) MUST implement every verb of `ImageDriverVerbs`"},
  stateVerbs: {quote: "a state-level driver (`level: 'state'`) MUST implement `StateDriverVerbs`"},
  probeChangesNothing: {quote: '`probe` MUST NOT change anything on the host'},
  probeWithoutTool: {on: '`probe`', quote: 'MUST resolve (not throw) when the tool is missing, with `available: false` and a `detail` that says how to install it'},
  probeVersion: {on: '`probe`:', quote: 'Version of the underlying tool, when there is one'},
  errors: {quote: 'Errors a driver throws MUST be `OcvmError`s (from `ocvm`) with a `hint` that says what to do'},
  listInspectChangeNothing: {quote: '`list` and `inspect` MUST NOT change anything'},
  configureTouchesNoHost: {on: '`configure`', quote: 'MUST NOT touch any host'},
  checkImport: {on: '`checkImport`', quote: 'MUST NOT change anything; throws the error `importVm` would'},
  state: {on: '`state`', quote: 'MUST NOT change anything; MUST throw as `inspect` does for an unknown VM'},
  autostart: {on: '`autostart`', quote: 'Without `set` it MUST NOT change anything; with `set` it MUST return `set`'},
  exportKeepsSource: {quote: '`exportVm` MUST NOT modify or delete the source VM'},
  exportRefusesRunning: {on: '`exportVm`', quote: 'MUST refuse a running VM'},
  importNoOverwrite: {quote: '`importVm` MUST NOT overwrite an existing VM of that name (throw `VmExistsError`)'},
  importNotStarted: {on: '`importVm`', quote: 'MUST leave the VM defined but not started'},
  importDryRun: {on: '`importVm`', quote: 'with `dryRun` it MUST only validate and describe'},
  removeImported: {quote: '`removeImported` undoes `importVm`'},
  guestShell: {quote: '`guestShell` MUST return a shell whose commands run inside the guest'},
  guestShellStreams: {on: '`guestShell`:', quote: 'its `exec` MUST support streaming `stdin`/`stdout`'},
  move: {quote: 'Export MUST NOT modify or delete the source; import MUST NOT overwrite an existing VM or deployment'},
  noExport: {quote: 'A driver without image export declares `capabilities.export: false` and offers `provisionLike`; `exportVm`/`importVm` then throw `UnsupportedError` naming the fallback (state mode)'},
  provisionLike: {on: '`provisionLike`', quote: 'MUST NOT touch an existing VM of that name (throw instead)'},
} as const satisfies Record<string, Rule>

/** A check's name: the rule(s) it enforces, then what it does to check them. */
export function title(rules: Rule | Rule[], how?: string): string {
  const said = (Array.isArray(rules) ? rules : [rules]).map((r) => (r.on ? `${r.on} ${r.quote}` : r.quote)).join('; ')
  return how ? `${said} — ${how}` : said
}
