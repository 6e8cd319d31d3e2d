import {Flags} from '@oclif/core'

import {UsageError} from '../errors.js'

/**
 * The VM flags that migrate, export, import and inspect share, and how they become the driver's
 * options: one spelling and one meaning on every command.
 */

export const vmStopFlags = {
  'force-stop': Flags.boolean({description: 'Power the VM off if it does not shut down within --stop-timeout.', helpGroup: 'VM'}),
  'stop-timeout': Flags.integer({description: 'Seconds a graceful shutdown may take.', default: 300, min: 1, helpGroup: 'VM'}),
}

export const vmSourceFlags = {
  connect: Flags.string({description: 'libvirt URI on the source host (default qemu:///system).', helpGroup: 'VM'}),
}

export const vmExportFlags = {
  flatten: Flags.boolean({description: 'Flatten disk backing chains into single images instead of moving the chain.', helpGroup: 'VM'}),
}

export const vmTargetFlags = {
  'target-name': Flags.string({description: 'Name of the VM on the target (default: the same name). An existing VM is never overwritten.', helpGroup: 'VM'}),
  'target-connect': Flags.string({description: 'libvirt URI on the target host (default qemu:///system).', helpGroup: 'VM'}),
  'target-pool': Flags.string({description: 'libvirt storage pool for the disks on the target (default: "default").', helpGroup: 'VM'}),
  'network-map': Flags.string({description: 'Map a network or bridge: SRC=DST (repeatable).', multiple: true, helpGroup: 'VM'}),
  'new-mac': Flags.boolean({description: 'Give the target VM new MAC addresses (default: keep them).', helpGroup: 'VM'}),
}

export const vmDriverOptFlag = {
  'driver-opt': Flags.string({description: 'A driver-specific option KEY=VALUE (repeatable): lume storage=DIR or registry=REGISTRY/ORG/IMAGE:TAG; plugin drivers document theirs.', multiple: true, helpGroup: 'VM'}),
}

export interface VmOptionFlags {
  connect?: string
  'target-connect'?: string
  'target-pool'?: string
  'network-map'?: string[]
  'new-mac'?: boolean
  flatten?: boolean
  'preserve-uuid'?: boolean
  'driver-opt'?: string[]
}

/** Driver flags → the options object drivers validate themselves (`configure`, `importVm`). */
export function vmDriverOptions(flags: VmOptionFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const entry of flags['driver-opt'] ?? []) {
    const eq = entry.indexOf('=')
    if (eq < 1) throw new UsageError(`--driver-opt "${entry}" is not KEY=VALUE`, 'Example: --driver-opt storage=ssd')
    out[entry.slice(0, eq)] = entry.slice(eq + 1)
  }
  const named: Array<[string, unknown]> = [
    ['connect', flags.connect], ['targetConnect', flags['target-connect']], ['targetPool', flags['target-pool']],
    ['networkMap', flags['network-map']], ['newMac', flags['new-mac']], ['flatten', flags.flatten], ['preserveUuid', flags['preserve-uuid']],
  ]
  for (const [key, value] of named) if (value !== undefined && value !== false) out[key] = value
  return out
}
