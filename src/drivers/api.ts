import type {Context} from '../context.js'
import type {HostSpec} from '../hosts/host-spec.js'
import type {Shell} from '../hosts/shell.js'
import {UsageError} from '../errors.js'
import type {GuestShell} from '../postmigrate/api.js'

/**
 * The driver API: what ocvm's built-in drivers implement and what third-party driver plugins
 * (`ocvm-driver-<name>`) implement. Bumped on every incompatible change; ocvm refuses plugins
 * built for another major API version.
 */
export const DRIVER_API_VERSION = 1

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'vdi' | 'hdd' | 'img'

/** Declared abilities. The pipeline reads these; it never sniffs for methods. */
export interface DriverCapabilities {
  /** `image`: moves whole VM images; `state`: moves the OpenClaw state of a host (the file driver). */
  level: 'image' | 'state'
  /** The driver can export what it moves from a source host. */
  export: boolean
  /** The driver can import onto a target host. */
  import: boolean
  /** Live migration without stopping the workload. */
  live: boolean
  /** Commands can run inside the guest without ssh (agent, `prlctl exec`, `multipass exec`). */
  guestExec: boolean
  /** Disk formats an image-level driver reads and writes. */
  formats: DiskFormat[]
}

export interface ProbeResult {
  /** The driver's tooling is usable on that host. */
  available: boolean
  /** Version of the underlying tool, when there is one. */
  version?: string
  /** What is missing and how to fix it, when not available. */
  detail?: string
  /**
   * Not available because the hypervisor is not installed at all (as opposed to installed but
   * unusable: no licence, daemon down). Only then is a target treated as a bare host.
   */
  missing?: boolean
}

/**
 * A driver is a plain object. Contracts (checked by `describeDriverContract` from `ocvm/testing`):
 * - `name` MUST match `/^[a-z][a-z0-9-]{0,30}$/` and be unique; a plugin driver MUST NOT reuse a
 *   built-in name (the built-in wins and the plugin's driver is ignored with a warning).
 * - `apiVersion` MUST be `DRIVER_API_VERSION` from the ocvm the driver was built against; ocvm
 *   refuses another version with a message naming both.
 * - `capabilities` MUST tell the truth: the pipeline reads them and never sniffs for methods. An
 *   image-level driver (`level: 'image'`) MUST implement every verb of `ImageDriverVerbs`;
 *   a state-level driver (`level: 'state'`) MUST implement `StateDriverVerbs`.
 * - `probe` MUST NOT change anything on the host and MUST resolve (not throw) when the tool is
 *   missing, with `available: false` and a `detail` that says how to install it.
 * - Export MUST NOT modify or delete the source; import MUST NOT overwrite an existing VM or deployment.
 * - Drivers MUST run every external command through `ctx.shells` / `ctx.runner`, never spawn processes
 *   themselves, and MUST NOT put secret values in argv.
 * - Errors a driver throws MUST be `OcvmError`s (from `ocvm`) with a `hint` that says what to do;
 *   anything else is shown as a bug in the driver (for a plugin: with the plugin's name).
 * - Drivers MUST NOT write to the terminal: report through `ctx.reporter`.
 */
export interface Driver {
  /** Lowercase name used on the command line: `--driver <name>` (`/^[a-z][a-z0-9-]{0,30}$/`). */
  readonly name: string
  readonly apiVersion: number
  /** One line for `ocvm drivers list`. */
  readonly description: string
  readonly capabilities: DriverCapabilities
  probe(host: HostSpec, ctx: Context): Promise<ProbeResult>
  /**
   * Optional: a copy of this driver bound to a run's driver options (`--connect`, `--target-connect`,
   * `--flatten`, `--driver-opt`) and to its hosts, so verbs that take only a host know which
   * hypervisor endpoint and settings apply there. MUST NOT touch any host; MUST throw a `UsageError`
   * for invalid options. Without it the driver uses its defaults (and `ImportRequest.options`).
   */
  configure?(options: Record<string, unknown>, hosts: DriverHosts): Driver | Promise<Driver>
}

/** The hosts of a run, as `configure` sees them (an inspect has only a source, an import only a target). */
export interface DriverHosts {
  source?: HostSpec
  target?: HostSpec
}

export type VmState = 'running' | 'stopped' | 'paused' | 'suspended' | 'busy' | 'unknown'
export type GuestOs = 'linux' | 'macos' | 'windows' | 'unknown'
export type CpuArch = 'x86_64' | 'arm64' | 'unknown'

export interface VmSummary {
  name: string
  state: VmState
  /** The hypervisor's id (libvirt UUID, Parallels UUID), when it has one. */
  id?: string
}

export interface VmDisk {
  /** Where the guest sees it (`vda`, `sata0`). */
  target: string
  /** The image file on the host. */
  path: string
  format: DiskFormat
  /** Apparent (virtual) size in bytes. */
  virtualBytes: number
  /** Bytes actually allocated on the host's disk (what a sparse-aware move sends). */
  allocatedBytes: number
  /** Backing files, nearest first; empty when the image stands alone. */
  backingChain: string[]
}

export interface VmInfo extends VmSummary {
  os: GuestOs
  arch: CpuArch
  cpus?: number
  memoryMiB?: number
  disks: VmDisk[]
  /** The guest's IP address when the hypervisor knows it (running VMs only). */
  address?: string
  /** The OS release as the hypervisor names it (Multipass `image_release`: `22.04 LTS`); `provisionLike` re-creates it. */
  release?: string
  /** Network interfaces, as defined (drivers that know them). */
  networks?: VmNic[]
}

export interface VmNic {
  /** How it attaches (libvirt: `network`, `bridge`, `user`, `direct`). */
  type: string
  mac?: string
  /** The virtual network or bridge it is plugged into. */
  source?: string
  model?: string
}

/** One file of an exported VM, moved byte-exact (sparse-aware) and checksummed end to end. */
export interface ExportedFile {
  /** Absolute path on the source host. */
  source: string
  /** Path relative to the staging dir on the target (no `..`, no leading `/`). */
  relPath: string
  /** Apparent size in bytes. */
  bytes: number
  /** Holes should be kept on the target (disk images). */
  sparse: boolean
}

/** What a driver's `exportVm` hands to the transfer: the files to move and what `importVm` needs. */
export interface ExportSet {
  vm: VmInfo
  files: ExportedFile[]
  /** Driver-private data for `importVm` (the domain XML, the bundle layout); JSON-serialisable, it is journaled. */
  meta: Record<string, unknown>
  /**
   * A dir the driver created on the source host for this export (flattened images): files may live
   * in it, and it is removed (rm -rf) once they are verified at their destination or the run is undone.
   */
  scratchDir?: string
}

export interface ImportRequest {
  exportSet: ExportSet
  /** Dir on the target host holding every exported file at its `relPath`, already verified. */
  stagingDir: string
  /** Name the VM gets on the target (the source name unless renamed). */
  targetName: string
  /** Driver-specific flags from the command line (pool, network map, preserve uuid); validated by the driver. */
  options: Record<string, unknown>
  dryRun: boolean
}

export interface StopOptions {
  /** How long a graceful shutdown may take before it counts as failed. */
  timeoutMs: number
  /** After the timeout, power the VM off hard instead of failing. */
  force: boolean
}

/**
 * The verbs of an image-level driver (`capabilities.level === 'image'`). Contracts:
 * - `list` and `inspect` MUST NOT change anything; they MUST parse the tool's output with a schema
 *   and throw `ExternalCommandError`/`UnexpectedOutputError` naming the tool on drift.
 * - `stop` MUST try a graceful shutdown first and MUST NOT power off hard unless `force`.
 * - `exportVm` MUST NOT modify or delete the source VM and MUST refuse a running VM.
 * - `importVm` MUST NOT overwrite an existing VM of that name (throw `VmExistsError`) and MUST leave the VM
 *   defined but not started; with `dryRun` it MUST only validate and describe.
 * - `removeImported` undoes `importVm` (rollback before the run is committed) and MUST NOT touch
 *   anything it did not create.
 * - `guestShell` MUST return a shell whose commands run inside the guest (ssh to its address, or
 *   the hypervisor's native exec); its `exec` MUST support streaming `stdin`/`stdout` (the state
 *   transfer pipes tar through it).
 * - A driver without image export declares `capabilities.export: false` and offers `provisionLike`;
 *   `exportVm`/`importVm` then throw `UnsupportedError` naming the fallback (state mode).
 */
export interface ImageDriverVerbs {
  list(host: HostSpec, ctx: Context): Promise<VmSummary[]>
  inspect(host: HostSpec, name: string, ctx: Context): Promise<VmInfo>
  /**
   * Optional: only the VM's state, in one cheap query (`inspect` reads disks and NICs too), for
   * the checks around a shutdown. MUST NOT change anything; MUST throw as `inspect` does for an
   * unknown VM.
   */
  state?(host: HostSpec, name: string, ctx: Context): Promise<VmState>
  stop(host: HostSpec, name: string, ctx: Context, options: StopOptions): Promise<void>
  start(host: HostSpec, name: string, ctx: Context): Promise<void>
  /**
   * Whether the hypervisor starts the VM when its host boots; with `set`, it changes that first.
   * Without `set` it MUST NOT change anything; with `set` it MUST return `set`. A driver whose
   * hypervisor starts VMs at boot implements it: the cutover turns it off on the source (a reboot
   * there must not start the old VM next to the moved one), on for the moved VM once it runs, and
   * rollback turns it back on the source.
   */
  autostart?(host: HostSpec, name: string, ctx: Context, set?: boolean): Promise<boolean>
  exportVm(host: HostSpec, name: string, ctx: Context): Promise<ExportSet>
  importVm(host: HostSpec, request: ImportRequest, ctx: Context): Promise<VmSummary>
  removeImported(host: HostSpec, name: string, ctx: Context): Promise<void>
  /**
   * Undoes what an `importVm` of this request that never returned (ocvm killed, a host lost) left on
   * `host`, e.g. volumes created before the VM was defined; a no-op when there is nothing. MUST NOT
   * touch anything that import did not create (record it in the staging dir before creating it).
   * `importVm` SHOULD do the same first, so a resumed import starts clean.
   */
  abandonImport?(host: HostSpec, request: ImportRequest, ctx: Context): Promise<void>
  /**
   * Optional preflight of an import, before anything moves: would `importVm` be able to place a VM
   * like `vm` named `targetName` on `host` with these options (the hypervisor reachable, the storage
   * location there, nothing of that name)? MUST NOT change anything; throws the error `importVm` would.
   * MAY name where on `host` a staging dir lets `importVm` link the staged files into their storage
   * instead of copying them (a dir on the storage's filesystem).
   */
  checkImport?(host: HostSpec, request: ImportCheck, ctx: Context): Promise<ImportPlacement | void>
  guestShell(host: HostSpec, name: string, ctx: Context): Promise<GuestShell>
  /**
   * For hypervisors without image export (Multipass): create a fresh VM on `host` shaped like `like`
   * (release/OS, CPUs, memory, disk), started and reachable, so the OpenClaw state can be moved into
   * it (state mode). MUST NOT touch an existing VM of that name (throw instead).
   */
  provisionLike?(host: HostSpec, like: VmInfo, name: string, ctx: Context, dryRun: boolean): Promise<VmSummary>
  /**
   * Live migration through the hypervisor (`capabilities.live`), storage included. MUST leave the VM
   * running on the source if anything fails, and MUST resolve only once it runs on the target.
   */
  liveMigrate?(source: HostSpec, target: HostSpec, name: string, ctx: Context, request: LiveRequest): Promise<VmSummary>
  /**
   * Moving the stopped VM through an image registry instead of streaming its files (Lume's OCI
   * `push`/`pull`), used when the user names one (`--driver-opt registry=REF`).
   */
  registryTransport?: RegistryTransport
}

/** Registry credentials: the token is a secret (stdin or environment of the tool, never argv). */
export interface RegistryCredentials {
  username: string
  token: string
}

/**
 * Contracts: `checkRef` MUST throw a `UsageError` for a reference the registry tool would refuse,
 * and change nothing. `push` MUST NOT change the source VM. `pull` MUST refuse (throw) when a VM of
 * that name exists on the target, and resolve once the VM is registered there, not started.
 */
export interface RegistryTransport {
  checkRef(ref: string): void
  push(host: HostSpec, name: string, ref: string, ctx: Context, credentials?: RegistryCredentials): Promise<void>
  pull(host: HostSpec, ref: string, name: string, ctx: Context, request: {options: Record<string, unknown>; credentials?: RegistryCredentials}): Promise<VmSummary>
}

/** What `checkImport` found out about where the files will go. */
export interface ImportPlacement {
  /** A writable dir on the filesystem the imported files end up on: staging there is a link away from them. */
  stagingParent?: string
}

export interface ImportCheck {
  vm: VmInfo
  targetName: string
  options: Record<string, unknown>
}

export interface LiveRequest {
  targetName: string
  options: Record<string, unknown>
  dryRun: boolean
}

export type ImageDriver = Driver & ImageDriverVerbs

/**
 * The verb of a state-level driver (`capabilities.level === 'state'`, like `file`): the pipeline's
 * state steps (quiesce, transfer, verify, rewrite, commit, permissions) run through the shells it
 * gives for the two ends. Contract:
 * - `stateShell` MUST return a shell whose commands run where the deployment lives on `host` (for
 *   `file` the host itself), MUST NOT change anything, and its `exec` MUST support streaming
 *   `stdin`/`stdout` (the transfer pipes tar through it).
 */
export interface StateDriverVerbs {
  stateShell(host: HostSpec, ctx: Context): Promise<Shell>
}

export type StateDriver = Driver & StateDriverVerbs

/** True when the driver declares itself state-level and has the verb. */
export function isStateDriver(driver: Driver): driver is StateDriver {
  return driver.capabilities.level === 'state' && typeof (driver as Partial<StateDriverVerbs>).stateShell === 'function'
}

/** The driver as a state mover, or a usage error saying that it does not move the state. */
export function asStateDriver(driver: Driver): StateDriver {
  if (!isStateDriver(driver)) throw new UsageError(`the ${driver.name} driver does not move the OpenClaw state`, 'Use --driver file for bare hosts, or a driver from `ocvm drivers list`.')
  return driver
}

/** True when the driver declares itself image-level and has the verbs. */
export function isImageDriver(driver: Driver): driver is ImageDriver {
  return driver.capabilities.level === 'image' && typeof (driver as Partial<ImageDriverVerbs>).exportVm === 'function'
}

/** The driver as an image driver, or a usage error saying that it does not move VMs. */
export function asImageDriver(driver: Driver, refusal = `the ${driver.name} driver does not move VMs`): ImageDriver {
  if (!isImageDriver(driver)) throw new UsageError(refusal, 'Use --driver file for bare hosts, or a hypervisor driver from `ocvm drivers list`.')
  return driver
}

/**
 * Identity helper that type-checks a driver at its definition (`export const x = defineDriver({...})`);
 * the image verbs get their parameter types from `ImageDriverVerbs`.
 */
export function defineDriver<T extends Driver & Partial<ImageDriverVerbs> & Partial<StateDriverVerbs>>(driver: T): T {
  return driver
}
