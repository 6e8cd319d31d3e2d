import type {Context} from '../context.js'
import {OcvmError, UsageError} from '../errors.js'
import type {HostSpec} from '../hosts/host-spec.js'
import type {Shell} from '../hosts/shell.js'
import type {Driver} from './api.js'

// VM names reach hypervisor CLIs as argv (never a shell), but a leading '-' would still read as an
// option, and control characters make unreadable journals and logs.
const VM_NAME_RE = /^[^-\s\p{Cc}][^\p{Cc}]*$/u

export function checkVmName(flag: string, value: string | undefined): void {
  if (value !== undefined && !VM_NAME_RE.test(value)) throw new UsageError(`${flag} "${value}" is not a usable VM name`, 'VM names must not start with "-" or contain control characters (newlines, tabs).')
}

/** Refuses (with the driver's own words on what is missing) when the driver cannot work on that host. */
export async function requireDriver(driver: Driver, host: HostSpec, ctx: Context, shell: Shell): Promise<void> {
  const probe = await driver.probe(host, ctx)
  if (!probe.available) {
    throw new OcvmError('driver-unavailable', `the ${driver.name} driver cannot work on ${shell.label}${probe.detail ? `: ${probe.detail}` : ''}`, {
      hint: probe.detail ?? `Install the ${driver.name} tools on ${shell.label}; \`ocvm doctor --on ${shell.label}\` shows what is there.`,
    })
  }
}
