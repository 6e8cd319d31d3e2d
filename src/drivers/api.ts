import type {Context} from '../context.js'
import type {HostSpec} from '../hosts/host-spec.js'

/**
 * The driver API: what ocvm's built-in drivers implement and what third-party driver plugins
 * (`ocvm-driver-<name>`) implement. Bumped on every incompatible change; ocvm refuses plugins
 * built for another major API version.
 */
export const DRIVER_API_VERSION = 1

export type DiskFormat = 'raw' | 'qcow2' | 'vmdk' | 'hdd' | 'img'

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
}

/**
 * A driver is a plain object. Contracts:
 * - `probe` MUST NOT change anything on the host and MUST resolve (not throw) when the tool is
 *   missing, with `available: false` and a `detail` that says how to install it.
 * - Export (added with migrations) MUST NOT modify or delete the source; import MUST NOT overwrite an
 *   existing VM or deployment.
 * - Drivers MUST run every external command through `ctx.shells` / `ctx.runner`, never spawn processes
 *   themselves, and MUST NOT put secret values in argv.
 */
export interface Driver {
  /** Lowercase name used on the command line: `--driver <name>`. */
  readonly name: string
  readonly apiVersion: number
  /** One line for `ocvm drivers list`. */
  readonly description: string
  readonly capabilities: DriverCapabilities
  probe(host: HostSpec, ctx: Context): Promise<ProbeResult>
}

/** Identity helper that type-checks a driver at its definition (`export const x = defineDriver({...})`). */
export function defineDriver<T extends Driver>(driver: T): T {
  return driver
}
