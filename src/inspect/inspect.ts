import type {Context} from '../context.js'
import {inspectDeployment} from '../deployment/inspect.js'
import type {Inventory} from '../deployment/types.js'
import {asImageDriver, type Driver, type VmInfo, type VmSummary} from '../drivers/api.js'
import {requireDriver} from '../drivers/checks.js'
import {formatHostSpec, type HostSpec} from '../hosts/host-spec.js'

export type VmInspection = VmInfo & {driver: string; host: string}
export interface VmListing {
  driver: string
  host: string
  vms: VmSummary[]
}

/** One `ocvm inspect`: a state mover reads the deployment; an image driver lists VMs, or describes one. */
export interface InspectRequest {
  driver: Driver
  host: HostSpec
  deployment: {user?: string; stateDir?: string; configPath?: string; profile?: string}
  vm?: string
}

/** The inspect service: what a host holds, as the driver sees it (never by the driver's name). */
export async function inspect(request: InspectRequest, ctx: Context): Promise<Inventory | VmInspection | VmListing> {
  const {driver, host} = request
  if (driver.capabilities.level === 'state') return inspectDeployment({host, ...request.deployment}, ctx)
  const image = asImageDriver(driver)
  const label = formatHostSpec(host)
  // An unreachable hypervisor (daemon down, wrong --connect) says so, instead of "no such VM".
  await requireDriver(image, host, ctx, ctx.shells.get(host))
  if (request.vm) return {...(await image.inspect(host, request.vm, ctx)), driver: image.name, host: label}
  return {driver: image.name, host: label, vms: await image.list(host, ctx)}
}
