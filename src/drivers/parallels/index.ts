import {posix} from 'node:path'
import {z} from 'zod'

import type {Context} from '../../context.js'
import {HypervisorUnavailableError, MissingToolError, OcvmError, UsageError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {defineDriver, DRIVER_API_VERSION, type ExportedFile, type ImageDriver, type VmInfo} from '../api.js'
import {guestOverSsh, GUEST_SSH_HINT} from '../common/guest-ssh.js'
import {listHostFiles} from '../common/host-files.js'
import {runTool, unlessNotFound} from '../common/run-tool.js'
import {parseToolJson, pollUntil} from '../common/tool-output.js'
import {prlArgv} from './argv.js'
import {LICENCE_HINT, prlTool} from './errors.js'
import {editionHasCli, memoryMiB, parsePrlInfo, parsePrlList, prlDisks, prlGuestAddress, prlLicenceSchema, prlOs, prlServerInfoSchema, prlState, type PrlInfo} from './schema.js'

const importOptionsSchema = z.object({
  preserveUuid: z.boolean().optional(),
  /** Where the bundle goes on the target (default: the user's VM home from `prlsrvctl info`). */
  vmHome: z.string().startsWith('/', 'must be an absolute path on the target').optional(),
})

const label = (host: HostSpec, ctx: Context) => ctx.shells.get(host).label

async function info(host: HostSpec, vm: string, ctx: Context): Promise<PrlInfo> {
  const result = await runTool(prlTool(vm), host, ctx, prlArgv.info(vm), {timeoutMs: 60_000})
  return parsePrlInfo(result.stdout, vm, label(host, ctx))
}

function findInfo(host: HostSpec, vm: string, ctx: Context): Promise<PrlInfo | undefined> {
  return unlessNotFound(info(host, vm, ctx))
}

async function listAll(host: HostSpec, ctx: Context) {
  const result = await runTool(prlTool(), host, ctx, prlArgv.list(), {timeoutMs: 60_000})
  return parsePrlList(result.stdout, label(host, ctx))
}

/** prlctl refuses to work without a Pro/Business licence; say so before anything else fails oddly. */
async function requireLicence(host: HostSpec, ctx: Context): Promise<void> {
  const result = await runTool(prlTool(undefined, 'prlsrvctl'), host, ctx, prlArgv.licence(), {timeoutMs: 30_000})
  const {edition} = parseToolJson('prlsrvctl', 'prlsrvctl info --license --json', label(host, ctx), result.stdout, prlLicenceSchema)
  if (!editionHasCli(edition)) throw new HypervisorUnavailableError('prlctl', label(host, ctx), `the "${edition}" edition of Parallels Desktop has no command-line interface`, LICENCE_HINT)
}

const bundleDir = (vm: PrlInfo) => vm.Home.replace(/\/+$/, '')

async function toVmInfo(host: HostSpec, vm: PrlInfo, ctx: Context): Promise<VmInfo> {
  const disks = prlDisks(vm)
  // An .hdd image is a directory of .hds chunks: its allocation is what du says.
  const du = disks.length
    ? await ctx.shells.get(host).script('for d in "$@"; do du -sk -- "$d" 2>/dev/null | cut -f1 || echo 0; done', disks.map((d) => d.image), {timeoutMs: 60_000})
    : {stdout: ''}
  const kib = du.stdout.split('\n').filter(Boolean).map(Number)
  const address = prlGuestAddress(vm)
  return {
    name: vm.Name,
    id: vm.ID.replace(/^\{|\}$/g, ''),
    state: prlState(vm.State),
    os: prlOs(vm.OS),
    // .macvm bundles are Apple-hypervisor guests, arm64 only; for .pvm prlctl does not say.
    arch: bundleDir(vm).endsWith('.macvm') ? 'arm64' : 'unknown',
    cpus: vm.Hardware.cpu.cpus,
    memoryMiB: memoryMiB(vm),
    disks: disks.map((d, i) => ({target: d.target, path: d.image, format: 'hdd', virtualBytes: d.virtualBytes, allocatedBytes: (kib[i] ?? 0) * 1024, backingChain: []})),
    ...(address ? {address} : {}),
  }
}

/**
 * Parallels Desktop (`prlctl`, Pro/Business edition). A stopped VM moves as its bundle (`.pvm`, or
 * `.macvm` for Apple-hypervisor macOS guests), is registered on the target with `prlctl register`
 * (a new UUID unless --preserve-uuid) and started; the guest is reached over ssh at its IP.
 */
export const parallelsDriver = defineDriver({
  name: 'parallels',
  apiVersion: DRIVER_API_VERSION,
  description: 'Parallels Desktop Pro/Business VMs: moves the stopped .pvm/.macvm bundle and registers it on the target (new UUID unless --preserve-uuid).',
  capabilities: {level: 'image', export: true, import: true, live: false, guestExec: false, formats: ['hdd']},

  async probe(host, ctx) {
    let version: string
    try {
      const result = await runTool(prlTool(), host, ctx, prlArgv.version(), {timeoutMs: 30_000})
      version = /version\s+(\S+(?:\s+\(\d+\))?)/.exec(result.stdout)?.[1] ?? result.stdout.trim()
    } catch (error) {
      if (error instanceof MissingToolError) return {available: false, missing: true, detail: `${error.message}. ${error.hint ?? ''}`.trim()}
      throw error
    }
    try {
      await requireLicence(host, ctx)
    } catch (error) {
      if (error instanceof OcvmError && error.code === 'hypervisor-unavailable') return {available: false, version, detail: `${error.message}. ${error.hint ?? ''}`}
      throw error
    }
    return {available: true, version}
  },

  async list(host, ctx) {
    return (await listAll(host, ctx)).map((v) => ({name: v.name, state: prlState(v.status), id: v.uuid}))
  },

  async inspect(host, name, ctx) {
    return toVmInfo(host, await info(host, name, ctx), ctx)
  },

  async stop(host, name, ctx, options) {
    const vm = await info(host, name, ctx)
    if (vm.State === 'stopped') return
    const where = label(host, ctx)
    if (vm.State === 'running') {
      try {
        await runTool(prlTool(name), host, ctx, prlArgv.stop(name), {timeoutMs: options.timeoutMs})
      } catch (error) {
        if (error instanceof VmNotFoundError || !(error instanceof OcvmError)) throw error
        if (!options.force) {
          throw new VmStateError('prlctl', name, where, `did not shut down gracefully (${error.message})`, `Shut the guest down yourself, or pass --force-stop to power it off with \`prlctl stop ${name} --kill\`.`)
        }
        ctx.reporter.warn(`Parallels VM ${name} did not shut down gracefully; powering it off (--force-stop)`)
        await runTool(prlTool(name), host, ctx, prlArgv.stop(name, true), {timeoutMs: 120_000})
      }
    } else if (options.force) {
      // Suspended: discard the saved state; paused: power off. The user asked for it (--force-stop).
      await runTool(prlTool(name), host, ctx, vm.State === 'suspended' ? prlArgv.dropState(name) : prlArgv.stop(name, true), {timeoutMs: 120_000})
    } else {
      throw new VmStateError('prlctl', name, where, `is ${vm.State}`, `Resume it (\`prlctl resume ${name}\`) and let ocvm shut it down, or pass --force-stop to discard its ${vm.State} state.`)
    }
    await pollUntil(async () => ((await info(host, name, ctx)).State === 'stopped' ? true : undefined), {
      timeoutMs: 60_000,
      signal: ctx.signal,
      onTimeout: () => new VmStateError('prlctl', name, where, 'still not stopped', `Check \`prlctl list -a\` on ${where}.`),
    })
  },

  async start(host, name, ctx) {
    const vm = await info(host, name, ctx)
    if (vm.State === 'running') return
    await runTool(prlTool(name), host, ctx, prlArgv.start(name), {timeoutMs: 300_000})
  },

  async exportVm(host, name, ctx) {
    await requireLicence(host, ctx)
    const vm = await info(host, name, ctx)
    const where = label(host, ctx)
    if (vm.State !== 'stopped') {
      throw new VmStateError('prlctl', name, where, `is ${vm.State}; its bundle can only be exported while it is stopped`, vm.State === 'suspended' ? 'A suspended VM holds memory state the target cannot use: stop it (--force-stop drops the state).' : `Stop it first (\`prlctl stop ${name}\`), or let \`ocvm migrate\` stop it.`)
    }
    const dir = bundleDir(vm)
    const bundleName = posix.basename(dir)
    if (!/\.(pvm|macvm)$/.test(bundleName)) throw new OcvmError('vm-incomplete', `Parallels VM ${name} on ${where} lives in ${dir}, not a .pvm/.macvm bundle`, {hint: 'Packed (.pvmp) or archived VMs must be unpacked first: `prlctl unpack` / `prlctl unarchive`.'})
    const found = await listHostFiles(ctx.shells.get(host), dir, 'prlctl')
    if (!found.some((f) => f.relPath === 'config.pvs')) throw new OcvmError('vm-incomplete', `the bundle ${dir} on ${where} has no config.pvs`, {hint: 'The VM is damaged or not fully downloaded; check it in Parallels Desktop.'})
    const files: ExportedFile[] = found
      // Lock and log files are recreated by Parallels; a stale .lck would block the target.
      .filter((f) => !/(^|\/)[^/]*\.(lck|log)$/.test(f.relPath))
      .map((f) => ({source: `${dir}/${f.relPath}`, relPath: `${bundleName}/${f.relPath}`, bytes: f.bytes, sparse: /\.(hds|hdd|img)$/.test(f.relPath)}))
    return {vm: await toVmInfo(host, vm, ctx), files, meta: {bundleName, uuid: vm.ID.replace(/^\{|\}$/g, ''), sourceHome: dir}}
  },

  async importVm(host, request, ctx) {
    const shell = ctx.shells.get(host)
    const parsed = importOptionsSchema.safeParse(Object.fromEntries(Object.entries(request.options).filter(([k]) => k === 'preserveUuid' || k === 'vmHome')))
    if (!parsed.success) throw new UsageError(`invalid parallels import option: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, 'Pass --preserve-uuid, and --driver-opt vmHome=/abs/dir for a VM home other than the default.')
    const meta = z.object({bundleName: z.string().regex(/^[^/]+\.(pvm|macvm)$/), uuid: z.string()}).safeParse(request.exportSet.meta)
    if (!meta.success) throw new OcvmError('journal-incomplete', 'the export record has no Parallels bundle name', {hint: 'Start a new migration.'})
    const {targetName} = request
    if (targetName.includes('/')) throw new UsageError(`"${targetName}" cannot be a Parallels VM name`, 'Leave "/" out of --target-name.')
    await requireLicence(host, ctx)
    const registered = await listAll(host, ctx)
    if (registered.some((v) => v.name === targetName)) throw new VmExistsError('parallels', targetName, shell.label)
    const preserve = parsed.data.preserveUuid === true
    if (preserve && registered.some((v) => v.uuid.replace(/^\{|\}$/g, '') === meta.data.uuid)) {
      throw new VmExistsError('parallels', targetName, shell.label, `UUID ${meta.data.uuid} is already registered; leave out --preserve-uuid`)
    }
    const vmHome = parsed.data.vmHome ?? parseToolJson('prlsrvctl', 'prlsrvctl info --json', shell.label, (await runTool(prlTool(undefined, 'prlsrvctl'), host, ctx, prlArgv.serverInfo(), {timeoutMs: 30_000})).stdout, prlServerInfoSchema)['VM home']
    const ext = posix.extname(meta.data.bundleName)
    const dest = `${vmHome.replace(/\/+$/, '')}/${targetName}${ext}`
    if ((await shell.script('[ -e "$1" ]', [dest], {allowFailure: true})).exitCode === 0) throw new VmExistsError('parallels', targetName, shell.label, `${dest} exists`)
    if (request.dryRun) return {name: targetName, state: 'stopped'}

    const prefix = `${meta.data.bundleName}/`
    const rels = request.exportSet.files.map((f) => f.relPath.slice(prefix.length))
    const place = `set -e
staging=$1; src=$2; dest=$3; shift 3
mkdir -p "$(dirname "$dest")"
mkdir "$dest"
for rel in "$@"; do
  mkdir -p "$dest/$(dirname "$rel")"
  mv "$staging/$src/$rel" "$dest/$rel"
done`
    await shell.script(place, [request.stagingDir, meta.data.bundleName, dest, ...rels], {timeoutMs: 600_000})
    try {
      const before = new Set(registered.map((v) => v.uuid))
      await runTool(prlTool(targetName), host, ctx, prlArgv.register(dest, preserve), {timeoutMs: 300_000})
      const added = (await listAll(host, ctx)).find((v) => !before.has(v.uuid))
      if (!added) throw new OcvmError('parallels-import', `prlctl register of ${dest} on ${shell.label} added no VM`, {hint: 'Check `prlctl list -a` on the target.'})
      if (added.name !== targetName) await runTool(prlTool(added.uuid), host, ctx, prlArgv.rename(added.uuid, targetName), {timeoutMs: 60_000})
      return {name: targetName, state: prlState(added.status), id: added.uuid}
    } catch (error) {
      // Nothing registered under our name yet (or registration failed): the bundle we placed is ours to remove.
      if (!(await findInfo(host, targetName, ctx))) await shell.script('rm -rf -- "$1"', [dest], {allowFailure: true})
      throw error
    }
  },

  async removeImported(host, name, ctx) {
    const vm = await findInfo(host, name, ctx)
    if (!vm) return
    if (vm.State !== 'stopped') await runTool(prlTool(name), host, ctx, prlArgv.stop(name, true), {timeoutMs: 120_000})
    await runTool(prlTool(name), host, ctx, prlArgv.delete(name), {timeoutMs: 300_000})
  },

  async guestShell(host, name, ctx) {
    const where = label(host, ctx)
    const address = await pollUntil(
      async () => {
        const vm = await info(host, name, ctx)
        if (vm.State !== 'running') throw new VmStateError('prlctl', name, where, `is ${vm.State}`, `Start it (\`prlctl start ${name}\`) before running commands in it.`)
        const fromInfo = prlGuestAddress(vm)
        if (fromInfo) return fromInfo
        const full = parsePrlList((await runTool(prlTool(name), host, ctx, prlArgv.full(name), {timeoutMs: 60_000})).stdout, where)
        return prlGuestAddress(vm, full[0]?.ip_configured)
      },
      {timeoutMs: 180_000, intervalMs: 2000, signal: ctx.signal, onTimeout: () => new VmStateError('prlctl', name, where, 'reports no IP address after 3 minutes', `Install Parallels Tools in the guest so it reports its IP. ${GUEST_SSH_HINT}`)},
    )
    return guestOverSsh(address, ctx)
  },
} satisfies ImageDriver)
