import {OcvmError} from '../../errors.js'

/**
 * Errors shared by the hypervisor drivers (lume, parallels, multipass). Each names the tool, the VM
 * and the host, and carries a hint that says what to do next.
 */

/** A hypervisor CLI printed something its documented schema does not allow (a new, unknown version). */
export class UnexpectedOutputError extends OcvmError {
  constructor(tool: string, what: string, reason: string, host: string) {
    super('unexpected-output', `unexpected ${tool} output from \`${what}\` on ${host}: ${reason}`, {
      hint: `ocvm understands the ${tool} versions listed in \`ocvm drivers list\`; run with --verbose to see the raw output and report it with \`${tool} --version\`.`,
      details: {tool, command: what, host},
    })
  }
}

export class VmNotFoundError extends OcvmError {
  constructor(tool: string, name: string, host: string, listCommand: string) {
    super('vm-not-found', `${tool} has no VM named "${name}" on ${host}`, {
      hint: `\`${listCommand}\` on ${host} lists the VMs there; names are case-sensitive.`,
      details: {tool, vm: name, host},
    })
  }
}

/** The VM is in a state the operation does not allow (running when it must be stopped, and so on). */
export class VmStateError extends OcvmError {
  constructor(tool: string, name: string, host: string, message: string, hint: string) {
    super('vm-state', `${tool} VM "${name}" on ${host}: ${message}`, {hint, details: {tool, vm: name, host}})
  }
}

/** importVm / provisionLike refuse to overwrite: a VM (or its files) with that name already exists. */
export class VmExistsError extends OcvmError {
  constructor(tool: string, name: string, host: string, where?: string) {
    super('vm-exists', `${tool} already has a VM named "${name}" on ${host}${where ? ` (${where})` : ''}; ocvm never overwrites one`, {
      hint: 'Pick another name on the target (--target-name), or remove the existing VM there yourself if it is a leftover.',
      details: {tool, vm: name, host},
    })
  }
}

/** The hypervisor's service is not usable: daemon down, missing licence, wrong edition. */
export class HypervisorUnavailableError extends OcvmError {
  constructor(tool: string, host: string, reason: string, hint: string) {
    super('hypervisor-unavailable', `${tool} on ${host} is not usable: ${reason}`, {hint, details: {tool, host}})
  }
}

/** The value, or undefined when the tool says the VM does not exist (existence checks before creating). */
export async function unlessNotFound<T>(lookup: Promise<T>): Promise<T | undefined> {
  try {
    return await lookup
  } catch (error) {
    if (error instanceof VmNotFoundError) return undefined
    throw error
  }
}
