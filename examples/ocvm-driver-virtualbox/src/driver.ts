import {
  defineDriver, DRIVER_API_VERSION, OcvmError, UnsupportedError, UsageError,
  type Context, type ExportSet, type HostSpec, type ImportRequest, type VmInfo, type VmSummary,
} from 'ocvm'

import * as argv from './argv.js'
import {attachedDisks, guestOs, isVmNotFound, parseGuestProperty, parseMachineReadable, parseMediumSizes, parseVersion, parseVmList, vmState} from './parse.js'

const TIMEOUT_MS = 60_000
const IMPORT_OPTIONS = ['basefolder'] as const

function shell(host: HostSpec, ctx: Context) {
  return ctx.shells.get(host)
}

function vmNotFound(name: string, where: string): OcvmError {
  return new OcvmError('vm-not-found', `no VirtualBox VM named "${name}" on ${where}`, {
    hint: `\`VBoxManage list vms\` on ${where} shows the VMs there (names are case-sensitive).`,
    details: {vm: name},
  })
}

async function showVmInfo(host: HostSpec, name: string, ctx: Context): Promise<Map<string, string>> {
  const sh = shell(host, ctx)
  const result = await sh.exec(argv.showVmInfoArgs(name), {allowFailure: true, timeoutMs: TIMEOUT_MS})
  if (result.exitCode !== 0 && isVmNotFound(result.stderr)) throw vmNotFound(name, sh.label)
  if (result.exitCode !== 0) await sh.exec(argv.showVmInfoArgs(name), {timeoutMs: TIMEOUT_MS}) // throws ExternalCommandError with stderr
  return parseMachineReadable(result.stdout)
}

async function stateOf(host: HostSpec, name: string, ctx: Context) {
  return vmState((await showVmInfo(host, name, ctx)).get('VMState'))
}

async function list(host: HostSpec, ctx: Context): Promise<VmSummary[]> {
  const {stdout} = await shell(host, ctx).exec(argv.listVmsArgs(), {timeoutMs: TIMEOUT_MS})
  const vms: VmSummary[] = []
  for (const {name, id} of parseVmList(stdout)) vms.push({name, id, state: await stateOf(host, name, ctx)})
  return vms
}

async function inspect(host: HostSpec, name: string, ctx: Context): Promise<VmInfo> {
  const info = await showVmInfo(host, name, ctx)
  const disks = []
  for (const disk of attachedDisks(info)) {
    const {stdout} = await shell(host, ctx).exec(argv.showMediumInfoArgs(disk.path), {timeoutMs: TIMEOUT_MS})
    disks.push({...disk, ...parseMediumSizes(stdout), backingChain: []})
  }
  const cpus = Number(info.get('cpus'))
  const memoryMiB = Number(info.get('memory'))
  return {
    name,
    state: vmState(info.get('VMState')),
    ...(info.get('UUID') ? {id: info.get('UUID')} : {}),
    ...guestOs(info.get('ostype')),
    ...(Number.isFinite(cpus) && cpus > 0 ? {cpus} : {}),
    ...(Number.isFinite(memoryMiB) && memoryMiB > 0 ? {memoryMiB} : {}),
    disks,
  }
}

async function waitForState(host: HostSpec, name: string, ctx: Context, want: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if ((await stateOf(host, name, ctx)) === want) return true
    if (Date.now() >= deadline) return false
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, timeoutMs)))
  }
}

async function exportVm(host: HostSpec, name: string, ctx: Context): Promise<ExportSet> {
  const vm = await inspect(host, name, ctx)
  const sh = shell(host, ctx)
  if (vm.state !== 'stopped') {
    throw new OcvmError('vm-running', `VirtualBox VM "${name}" is ${vm.state}; it must be powered off to export`, {
      hint: `ocvm stops it first during a migration; by hand: \`VBoxManage controlvm "${name}" acpipowerbutton\`.`,
      details: {vm: name, state: vm.state},
    })
  }
  // The OVA goes to a fresh temp dir on the source: nothing of the VM itself is written to.
  const dir = (await sh.script('mktemp -d "${TMPDIR:-/tmp}/ocvm-virtualbox.XXXXXX"', [], {timeoutMs: TIMEOUT_MS})).stdout.trim()
  const ova = `${dir}/${name}.ova`
  ctx.reporter.step(`exporting ${name} to an OVA on ${sh.label}`)
  await sh.exec(argv.exportOvaArgs(name, ova), {timeoutMs: 6 * 60 * 60_000})
  const bytes = Number((await sh.exec(['wc', '-c', ova], {timeoutMs: TIMEOUT_MS})).stdout.trim().split(/\s+/)[0])
  return {vm, files: [{source: ova, relPath: `${name}.ova`, bytes, sparse: false}], meta: {ova: `${name}.ova`, exportDir: dir}}
}

function importOptions(options: Record<string, unknown>): {baseFolder?: string} {
  const unknown = Object.keys(options).filter((k) => !(IMPORT_OPTIONS as readonly string[]).includes(k))
  if (unknown.length > 0) throw new UsageError(`unknown virtualbox option(s): ${unknown.join(', ')}`, `Valid options: ${IMPORT_OPTIONS.join(', ')}.`)
  const base = options.basefolder
  if (base !== undefined && (typeof base !== 'string' || !base.startsWith('/'))) throw new UsageError('basefolder must be an absolute path', 'Example: basefolder=/srv/vbox')
  return base === undefined ? {} : {baseFolder: base}
}

async function importVm(host: HostSpec, request: ImportRequest, ctx: Context): Promise<VmSummary> {
  const {targetName, exportSet, stagingDir, dryRun} = request
  const options = importOptions(request.options)
  const ova = exportSet.meta.ova
  if (typeof ova !== 'string' || ova.includes('/')) throw new OcvmError('bad-export', 'the export set has no OVA name', {hint: 'Export again with the same version of ocvm-driver-virtualbox.'})
  const sh = shell(host, ctx)
  if ((await list(host, ctx)).some((vm) => vm.name === targetName)) {
    throw new OcvmError('vm-exists', `a VirtualBox VM named "${targetName}" already exists on ${sh.label}; not overwriting it`, {
      hint: 'Import under another name (--target-name), or remove the existing VM yourself if it is really unwanted.',
      details: {vm: targetName},
    })
  }
  // With dryRun VBoxManage itself only reads the appliance and prints what it would create.
  await sh.exec(argv.importOvaArgs(`${stagingDir}/${ova}`, targetName, {dryRun, ...options}), {timeoutMs: 6 * 60 * 60_000})
  return {name: targetName, state: 'stopped'}
}

async function removeImported(host: HostSpec, name: string, ctx: Context): Promise<void> {
  if (!(await list(host, ctx)).some((vm) => vm.name === name)) return
  await shell(host, ctx).exec(argv.unregisterDeleteArgs(name), {timeoutMs: TIMEOUT_MS})
}

export const virtualboxDriver = defineDriver({
  name: 'virtualbox',
  apiVersion: DRIVER_API_VERSION,
  description: 'Oracle VirtualBox VMs, moved as OVA appliances (VBoxManage export/import).',
  capabilities: {level: 'image', export: true, import: true, live: false, guestExec: false, formats: ['vdi', 'vmdk']},

  async probe(host, ctx) {
    const sh = shell(host, ctx)
    const result = await sh.script(`command -v ${argv.VBOXMANAGE} >/dev/null 2>&1 || exit 127; exec ${argv.VBOXMANAGE} --version`, [], {allowFailure: true, timeoutMs: TIMEOUT_MS})
    if (result.exitCode === 127) return {available: false, detail: `VBoxManage is not on PATH on ${sh.label}: install VirtualBox (https://www.virtualbox.org/wiki/Downloads) and open a new shell`}
    if (result.exitCode !== 0) return {available: false, detail: `VBoxManage --version failed on ${sh.label}: ${result.stderr.trim().split('\n').pop() ?? ''}`}
    return {available: true, version: parseVersion(result.stdout)}
  },

  list,
  inspect,

  async stop(host, name, ctx, {timeoutMs, force}) {
    if ((await stateOf(host, name, ctx)) === 'stopped') return
    await shell(host, ctx).exec(argv.acpiShutdownArgs(name), {timeoutMs: TIMEOUT_MS})
    if (await waitForState(host, name, ctx, 'stopped', timeoutMs)) return
    if (!force) throw new OcvmError('stop-timeout', `VirtualBox VM "${name}" did not shut down within ${Math.round(timeoutMs / 1000)} s`, {hint: 'Check the guest (it may ignore ACPI), or pass --force to power it off.'})
    await shell(host, ctx).exec(argv.powerOffArgs(name), {timeoutMs: TIMEOUT_MS})
  },

  async start(host, name, ctx) {
    await shell(host, ctx).exec(argv.startHeadlessArgs(name), {timeoutMs: TIMEOUT_MS})
  },

  exportVm,
  importVm,
  removeImported,

  async guestShell(host, name, ctx) {
    const {stdout} = await shell(host, ctx).exec(argv.guestIpArgs(name), {timeoutMs: TIMEOUT_MS})
    const address = parseGuestProperty(stdout)
    if (!address) throw new UnsupportedError(`VirtualBox does not know the address of "${name}"`, 'Start the VM and install the VirtualBox Guest Additions (they report the IP), or use --driver file against the guest over ssh.')
    return ctx.shells.get({kind: 'ssh', host: address})
  },
})
