import type {Context} from '../../context.js'
import type {ImageDriver, VmState} from '../../drivers/api.js'
import type {HostSpec} from '../../hosts/host-spec.js'

/** The VM's state: the driver's one cheap query where it has one, else from a full inspect. */
export async function vmState(driver: ImageDriver, host: HostSpec, name: string, ctx: Context): Promise<VmState> {
  return driver.state ? driver.state(host, name, ctx) : (await driver.inspect(host, name, ctx)).state
}
