import type {Context} from '../context.js'
import type {ExportSet} from '../drivers/api.js'
import type {HostSpec} from '../hosts/host-spec.js'

/** One fresh world for one contract check: a host the driver works on, and a way to look at it. */
export interface DriverContractWorld {
  host: HostSpec
  ctx: Context
  /**
   * A snapshot of everything the driver must not change behind the caller's back (the hypervisor's
   * VMs, their states and disks; for a state driver, the deployment's files). Compared with `toEqual`
   * before and after each read-only or refusing call.
   */
  observe(): Promise<unknown>
  /** VMs that exist in this world (image drivers): one running, one stopped. */
  vms?: {running?: string; stopped?: string}
  /** Puts an export's files where `importVm` expects them on `host` and returns that staging dir. */
  stage?(exportSet: ExportSet): Promise<string>
  cleanup?(): Promise<void>
}

/**
 * Two hosts with the hypervisor on them, shared by the image-verb checks that drive a VM through
 * its life (start, stop, guest shell, export → stage → import onto the other host, or
 * `provisionLike` there). Built once before those checks and cleaned up after them.
 */
export interface DriverContractHarness {
  source: HostSpec
  target: HostSpec
  ctx: Context
  /**
   * Creates a stopped VM `name` on the source whose disks (exported `sparse: true`) hold some
   * non-zero data and holes: the move checks compare them byte for byte and expect the holes kept.
   */
  createVm(name: string): Promise<void>
  /**
   * Copies an export set's files into a fresh staging dir on the target (sparse), like the pipeline;
   * returns the dir. Needed by drivers that export (the checks fail saying so otherwise).
   */
  stage?(exportSet: ExportSet): Promise<string>
  /** A command run in a guest, and what it prints in the source's and in the target's guest. */
  guestProbe: {argv: string[]; source: RegExp; target: RegExp}
  /** Driver options for `importVm`. */
  importOptions?: Record<string, unknown>
  cleanup(): Promise<void>
}

export interface DriverContractSetup {
  /** Builds a fresh world for each check (a fake or real hypervisor with the VMs in `vms`). */
  world(): Promise<DriverContractWorld>
  /** A world where the driver's tool is not installed (e.g. PATH without it): probe must say so. */
  worldWithoutTool?(): Promise<DriverContractWorld>
  /**
   * Opt-in, image drivers only: two hosts for the checks that start, stop, move and re-create a VM.
   * Without it only the checks that need one world run.
   */
  harness?(): Promise<DriverContractHarness>
}
