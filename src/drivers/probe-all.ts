import type {Context} from '../context.js'
import {isOcvmError} from '../errors.js'
import type {HostSpec} from '../hosts/host-spec.js'
import type {DriverSet} from './driver-set.js'

export interface DriverProbe {
  name: string
  source: string
  available: boolean
  version?: string
  detail?: string
  /** The driver's probe threw (it MUST NOT): a bug in the driver, shown with the plugin's name. */
  broken?: boolean
}

export interface ProbeAllResult {
  status: 'ok' | 'partial'
  drivers: DriverProbe[]
}

/** Probes the chosen drivers (all when `names` is empty) on one host; one broken driver does not stop the rest. */
export async function probeDrivers(known: DriverSet, host: HostSpec, names: string[], ctx: Context): Promise<ProbeAllResult> {
  const entries = names.length > 0 ? names.map((n) => known.entry(n)) : known.list()
  const drivers: DriverProbe[] = []
  for (const {driver, source} of entries) {
    try {
      const r = await driver.probe(host, ctx)
      drivers.push({name: driver.name, source, available: r.available, ...(r.version ? {version: r.version} : {}), ...(r.detail ? {detail: r.detail} : {})})
    } catch (error) {
      // Connection problems are the host's, not the driver's: they end the command.
      if (isOcvmError(error) && (error.code === 'host-unreachable' || error.code === 'host-auth')) throw error
      const message = error instanceof Error ? error.message : String(error)
      drivers.push({name: driver.name, source, available: false, broken: true, detail: message})
    }
  }
  return {status: drivers.some((d) => d.broken) ? 'partial' : 'ok', drivers}
}
