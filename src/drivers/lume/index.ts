import {createHash} from 'node:crypto'
import {z} from 'zod'

import type {Context} from '../../context.js'
import {MissingToolError, OcvmError, UsageError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {defineDriver, DRIVER_API_VERSION, type ExportedFile, type ImageDriver, type VmInfo} from '../api.js'
import {guestOverSsh, GUEST_SSH_HINT} from '../common/guest-ssh.js'
import {homeDir, listHostFiles} from '../common/host-files.js'
import {runTool, unlessNotFound} from '../common/run-tool.js'
import {pollUntil} from '../common/tool-output.js'
import {LUME_VM_FILES, lumeArgv} from './argv.js'
import {LUME_TOOL} from './errors.js'
import {lumeLocationDir} from './location.js'
import {lumeOciTransport} from './oci-transport.js'
import {lumeOs, lumeState, parseLumeVm, parseLumeVms, type LumeVm} from './schema.js'

const MiB = 1024 * 1024
/** Files lume keeps in a VM dir while it runs or is being changed; never part of an export. */
const TRANSIENT = new Set(['sessions.json', '.provisioning', 'resize.lock.json'])

/** Driver-specific import options (`--lume-storage`). */
const importOptionsSchema = z.object({
  storage: z.string().startsWith('/', 'must be an absolute path on the target').optional(),
})

async function getVm(host: HostSpec, name: string, ctx: Context): Promise<LumeVm> {
  const result = await runTool(LUME_TOOL, host, ctx, lumeArgv.get(name), {timeoutMs: 60_000})
  return parseLumeVm(result.stdout, `lume get ${name} -f json`, ctx.shells.get(host).label)
}

/** `getVm`, or undefined when lume says the VM does not exist. */
function findVm(host: HostSpec, name: string, ctx: Context): Promise<LumeVm | undefined> {
  return unlessNotFound(getVm(host, name, ctx))
}

async function vmDir(host: HostSpec, vm: LumeVm, ctx: Context): Promise<string> {
  return `${await lumeLocationDir(ctx.shells.get(host), vm.locationName, ctx)}/${vm.name}`
}

function toVmInfo(vm: LumeVm, dir: string): VmInfo {
  return {
    name: vm.name,
    state: lumeState(vm.status),
    os: lumeOs(vm.os),
    // Lume runs on Apple Silicon only (Virtualization.framework).
    arch: 'arm64',
    cpus: vm.cpuCount,
    memoryMiB: Math.round(vm.memorySize / MiB),
    disks: [{target: 'disk.img', path: `${dir}/disk.img`, format: 'raw', virtualBytes: vm.diskSize.total, allocatedBytes: vm.diskSize.allocated, backingChain: []}],
    ...(vm.ipAddress ? {address: vm.ipAddress} : {}),
  }
}

/** A stable location name for a storage dir ocvm registers on the target. */
export function lumeLocationNameFor(dir: string): string {
  return `ocvm-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`
}

/**
 * Lume (trycua/cua, macOS on Apple Silicon). Lume has no export/import (reference §1.3): a stopped
 * VM moves as its directory (config.json, a sparse disk.img, nvram.bin), placed in a storage location
 * on the target, where every `lume ls` finds it. Optionally through an OCI registry (`registry`).
 */
export const lumeDriver = defineDriver({
  name: 'lume',
  apiVersion: DRIVER_API_VERSION,
  description: 'Lume macOS/Linux VMs on Apple Silicon: moves the stopped VM directory (sparse disk.img, nvram, config) into a storage location on the target.',
  capabilities: {level: 'image', export: true, import: true, live: false, guestExec: false, formats: ['raw']},

  async probe(host, ctx) {
    try {
      const result = await runTool(LUME_TOOL, host, ctx, lumeArgv.version(), {timeoutMs: 30_000})
      return {available: true, version: result.stdout.trim().split('\n').pop()?.trim() ?? ''}
    } catch (error) {
      if (error instanceof MissingToolError) return {available: false, missing: true, detail: `${error.message}. ${error.hint ?? ''}`.trim()}
      throw error
    }
  },

  async list(host, ctx) {
    const result = await runTool(LUME_TOOL, host, ctx, lumeArgv.list(), {timeoutMs: 60_000})
    return parseLumeVms(result.stdout, 'lume ls -f json', ctx.shells.get(host).label).map((vm) => ({name: vm.name, state: lumeState(vm.status)}))
  },

  async inspect(host, name, ctx) {
    const vm = await getVm(host, name, ctx)
    return toVmInfo(vm, await vmDir(host, vm, ctx))
  },

  async stop(host, name, ctx, options) {
    const vm = await getVm(host, name, ctx)
    if (vm.status === 'stopped') return
    const label = ctx.shells.get(host).label
    const timeoutSec = Math.max(1, Math.ceil(options.timeoutMs / 1000))
    try {
      await runTool(LUME_TOOL, host, ctx, lumeArgv.shutdown(name, timeoutSec), {timeoutMs: options.timeoutMs + 30_000})
    } catch (error) {
      if (error instanceof VmNotFoundError || !(error instanceof OcvmError)) throw error
      if (!options.force) {
        throw new VmStateError('lume', name, label, `did not shut down gracefully (${error.message})`, `Shut the guest down yourself, or pass --force to let ocvm power it off with \`lume stop ${name}\`.`)
      }
      ctx.reporter.warn(`lume VM ${name} did not shut down gracefully; powering it off (--force)`)
      await runTool(LUME_TOOL, host, ctx, lumeArgv.stop(name), {timeoutMs: 60_000})
    }
    await pollUntil(async () => ((await getVm(host, name, ctx)).status === 'stopped' ? true : undefined), {
      timeoutMs: 60_000,
      signal: ctx.signal,
      onTimeout: () => new VmStateError('lume', name, label, 'still reports running after stop', `Check \`lume get ${name}\` on ${label}.`),
    })
  },

  async start(host, name, ctx) {
    const vm = await getVm(host, name, ctx)
    if (vm.status === 'running') return
    await runTool(LUME_TOOL, host, ctx, lumeArgv.run(name), {timeoutMs: 120_000})
    const label = ctx.shells.get(host).label
    await pollUntil(async () => ((await getVm(host, name, ctx)).status === 'running' ? true : undefined), {
      timeoutMs: 120_000,
      signal: ctx.signal,
      onTimeout: () => new VmStateError('lume', name, label, 'did not reach running', `Look at ~/Library/Logs/lume/${name}.log on ${label}.`),
    })
  },

  async exportVm(host, name, ctx) {
    const vm = await getVm(host, name, ctx)
    const label = ctx.shells.get(host).label
    if (vm.status !== 'stopped') {
      throw new VmStateError('lume', name, label, `is ${vm.status}; its disk can only be exported while it is stopped`, `Stop it first (\`lume stop ${name}\`), or let \`ocvm migrate\` stop it.`)
    }
    const dir = await vmDir(host, vm, ctx)
    const found = await listHostFiles(ctx.shells.get(host), dir, 'lume')
    const missing = LUME_VM_FILES.filter((f) => !found.some((x) => x.relPath === f))
    if (missing.length > 0) {
      throw new OcvmError('vm-incomplete', `lume VM ${name} on ${label} is missing ${missing.join(', ')} in ${dir}`, {hint: 'A Lume VM needs config.json, disk.img and nvram.bin together; restore the missing file before moving it.'})
    }
    const files: ExportedFile[] = found
      .filter((f) => !TRANSIENT.has(f.relPath) && !f.relPath.split('/').some((part) => part.startsWith('.')))
      .map((f) => ({source: `${dir}/${f.relPath}`, relPath: f.relPath, bytes: f.bytes, sparse: f.relPath.endsWith('.img')}))
    return {vm: toVmInfo(vm, dir), files, meta: {locationName: vm.locationName, sourceDir: dir}}
  },

  async importVm(host, request, ctx) {
    const shell = ctx.shells.get(host)
    const parsed = importOptionsSchema.safeParse(request.options)
    if (!parsed.success) throw new UsageError(`invalid lume import option: ${parsed.error.issues[0]?.message}`, 'Pass --lume-storage as an absolute directory on the target (a lume storage location, or one ocvm registers).')
    const {targetName} = request
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(targetName)) throw new UsageError(`"${targetName}" is not a lume VM name ocvm can create`, 'Use letters, digits, ".", "_" and "-".')
    if (await findVm(host, targetName, ctx)) throw new VmExistsError('lume', targetName, shell.label)
    const location = parsed.data.storage?.replace(/\/+$/, '') ?? `${await homeDir(shell)}/.lume`
    const dest = `${location}/${targetName}`
    const exists = await shell.script('[ -e "$1" ]', [dest], {allowFailure: true})
    if (exists.exitCode === 0) throw new VmExistsError('lume', targetName, shell.label, `${dest} exists`)
    if (request.dryRun) return {name: targetName, state: 'stopped'}

    // mkdir (not -p) of the VM dir is the no-overwrite guard; mv keeps holes on the same filesystem.
    const place = `set -e
staging=$1; dest=$2; shift 2
mkdir -p "$(dirname "$dest")"
mkdir "$dest"
for rel in "$@"; do
  mkdir -p "$dest/$(dirname "$rel")"
  mv "$staging/$rel" "$dest/$rel"
done`
    await shell.script(place, [request.stagingDir, dest, ...request.exportSet.files.map((f) => f.relPath)], {timeoutMs: 600_000})
    try {
      let vm = await findVm(host, targetName, ctx)
      if (!vm && parsed.data.storage) {
        // Not a location lume scans yet: register it (reference §1.2 `lume config storage add`).
        await runTool(LUME_TOOL, host, ctx, lumeArgv.storageAdd(lumeLocationNameFor(location), location), {timeoutMs: 30_000})
        vm = await findVm(host, targetName, ctx)
      }
      if (!vm) throw new OcvmError('lume-import', `lume on ${shell.label} does not see the VM placed at ${dest}`, {hint: 'Check `lume ls` and `lume config storage list` on the target.'})
      return {name: vm.name, state: lumeState(vm.status)}
    } catch (error) {
      await shell.script('rm -rf -- "$1"', [dest], {allowFailure: true})
      throw error
    }
  },

  async removeImported(host, name, ctx) {
    const vm = await findVm(host, name, ctx)
    if (!vm) return
    if (vm.status === 'running') await runTool(LUME_TOOL, host, ctx, lumeArgv.stop(name), {timeoutMs: 60_000})
    await runTool(LUME_TOOL, host, ctx, lumeArgv.delete(name), {timeoutMs: 120_000})
  },

  async guestShell(host, name, ctx) {
    const label = ctx.shells.get(host).label
    const address = await pollUntil(
      async () => {
        const vm = await getVm(host, name, ctx)
        if (vm.status !== 'running') throw new VmStateError('lume', name, label, `is ${vm.status}`, `Start it (\`lume run ${name} --no-display --detach\`) before running commands in it.`)
        return vm.ipAddress && vm.sshAvailable ? vm.ipAddress : undefined
      },
      {timeoutMs: 180_000, intervalMs: 2000, signal: ctx.signal, onTimeout: () => new VmStateError('lume', name, label, 'has no IP address with ssh after 3 minutes', GUEST_SSH_HINT)},
    )
    return guestOverSsh(address, ctx)
  },

  registryTransport: lumeOciTransport,
} satisfies ImageDriver)
