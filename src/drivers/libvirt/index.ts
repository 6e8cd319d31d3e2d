import path from 'node:path'
import {z} from 'zod'

import type {Context} from '../../context.js'
import {OcvmError, UnsupportedError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {defineDriver, DRIVER_API_VERSION, type DiskFormat, type ExportSet, type ImageDriver, type VmDisk, type VmInfo, type VmSummary} from '../api.js'
import {agentShell, waitForAgent} from './agent-shell.js'
import {parseDomainXml, rewriteDomainXml} from './domain-xml.js'
import {parseLibvirtOptions} from './options.js'
import {isNotFound, parseDomblklist, parseDominfo, parseDomifaddr, parseDomstate, parseNames, parsePoolState, parseQemuImgInfo, type DomState} from './parse.js'
import * as v from './virsh.js'

/**
 * The libvirt driver: wraps `virsh` and `qemu-img` on each host (no bindings), through the host's
 * Shell. Cold moves: inspect → stop → exportVm (disk files + the inactive domain XML) → the
 * pipeline's sparse, checksummed transfer → importVm (sparse volumes in the target pool, rewritten
 * XML, define). Live moves: `liveMigrate` (live.ts).
 */

/** Runs virsh; on failure throws an OcvmError that names the domain/pool when virsh says "not found". */
export async function runVirsh(shell: Shell, argv: string[], timeoutMs: number = v.TIMEOUTS.query): Promise<RunResult> {
  return shell.exec(argv, {timeoutMs})
}

async function tryVirsh(shell: Shell, argv: string[], timeoutMs: number = v.TIMEOUTS.query): Promise<RunResult> {
  return shell.exec(argv, {timeoutMs, allowFailure: true})
}

function domainNotFound(name: string, shell: Shell): OcvmError {
  return new OcvmError('vm-not-found', `no libvirt domain named "${name}" on ${shell.label}`, {
    hint: `\`ocvm inspect --driver libvirt --from ${shell.label}\` lists the domains there (or virsh list --all); check --connect.`,
    details: {vm: name, host: shell.label},
  })
}

export async function domainState(shell: Shell, uri: string, name: string): Promise<DomState> {
  const r = await tryVirsh(shell, v.domstate(uri, name))
  if (r.exitCode !== 0) {
    if (isNotFound(r.stderr)) throw domainNotFound(name, shell)
    await runVirsh(shell, v.domstate(uri, name))
  }
  return parseDomstate(r.stdout)
}

/** True when a domain of that name is defined (or running) on the host. */
export async function domainExists(shell: Shell, uri: string, name: string): Promise<boolean> {
  const r = await tryVirsh(shell, v.dominfo(uri, name))
  if (r.exitCode === 0) return true
  if (isNotFound(r.stderr)) return false
  await runVirsh(shell, v.dominfo(uri, name))
  return false
}

const StatLine = z.tuple([z.coerce.number().int().nonnegative(), z.coerce.number().int().nonnegative()])

/** One disk's image facts from the host (qemu-img for format/virtual size/chain, stat for apparent size). */
async function imageFacts(shell: Shell, file: string): Promise<VmDisk & {fileBytes: number}> {
  const info = parseQemuImgInfo((await shell.exec(v.qemuImgInfo(file), {timeoutMs: v.TIMEOUTS.query})).stdout)
  const stat = StatLine.safeParse((await shell.exec(['stat', '-L', '-c', '%s %b', '--', file], {timeoutMs: v.TIMEOUTS.query})).stdout.trim().split(/\s+/))
  if (!stat.success) throw new OcvmError('unexpected-output', `unexpected output from stat for ${file}`)
  const [fileBytes, blocks] = stat.data
  return {target: '', path: file, format: info.format, virtualBytes: info.virtualBytes, allocatedBytes: info.allocatedBytes || blocks * 512, backingChain: info.backingChain, fileBytes}
}

/** The domain's address: lease (libvirt DHCP), then the agent, then the ARP table; first IPv4. */
async function guestAddress(shell: Shell, uri: string, name: string): Promise<string | undefined> {
  for (const source of ['lease', 'agent', 'arp'] as const) {
    const r = await tryVirsh(shell, v.domifaddr(uri, name, source))
    if (r.exitCode !== 0) continue
    const addr = parseDomifaddr(r.stdout).find((a) => a.protocol === 'ipv4' && !a.address.startsWith('127.'))
    if (addr) return addr.address
  }
  return undefined
}

async function inspect(host: HostSpec, name: string, ctx: Context, uri: string): Promise<VmInfo & {xml: string; fileBytes: Record<string, number>}> {
  const shell = ctx.shells.get(host)
  const infoRun = await tryVirsh(shell, v.dominfo(uri, name))
  if (infoRun.exitCode !== 0) {
    if (isNotFound(infoRun.stderr)) throw domainNotFound(name, shell)
    await runVirsh(shell, v.dominfo(uri, name))
  }
  const info = parseDominfo(infoRun.stdout)
  const xml = (await runVirsh(shell, v.dumpxmlInactive(uri, name))).stdout
  const dom = parseDomainXml(xml)
  const blk = parseDomblklist((await runVirsh(shell, v.domblklist(uri, name))).stdout)
  const disks: VmDisk[] = []
  const fileBytes: Record<string, number> = {}
  for (const dev of blk) {
    if (dev.device !== 'disk' || !dev.source) continue
    if (dev.type !== 'file' && dev.type !== 'volume') {
      throw new UnsupportedError(`disk ${dev.target} of ${name} is a ${dev.type} device (${dev.source})`, 'The libvirt driver moves file-backed disks (dir pools, image files); move block/network disks with your storage tools.')
    }
    // A `volume` disk names a pool volume, not a path: ask the pool where it lives.
    const xmlDisk = dom.disks.find((d) => d.target === dev.target)
    const file = dev.type === 'volume' && xmlDisk?.pool && xmlDisk.volume ? (await runVirsh(shell, v.volPath(uri, xmlDisk.pool, xmlDisk.volume))).stdout.trim() : dev.source
    const facts = await imageFacts(shell, file)
    fileBytes[dev.target] = facts.fileBytes
    const {fileBytes: _omit, ...disk} = facts
    disks.push({...disk, target: dev.target})
  }
  const address = info.state === 'running' ? await guestAddress(shell, uri, name) : undefined
  return {
    name: info.name,
    id: info.uuid,
    state: info.state,
    os: /<libosinfo:os id=['"][^'"]*(?:debian|ubuntu|fedora|centos|rhel|suse|alpine|arch)/i.test(xml) ? 'linux' : /libosinfo:os id=['"][^'"]*(?:win)/i.test(xml) ? 'windows' : 'unknown',
    arch: dom.arch === 'x86_64' ? 'x86_64' : dom.arch === 'aarch64' ? 'arm64' : 'unknown',
    cpus: info.cpus,
    memoryMiB: Math.round(info.maxMemoryKiB / 1024),
    disks,
    ...(address ? {address} : {}),
    xml,
    fileBytes,
  }
}

/** Import runs virsh on the target host itself: a remote `--target-connect` is for `--live` only. */
function localUri(uri: string | undefined): string {
  return uri && /^[a-z0-9+]+:\/\/\//i.test(uri) ? uri : v.DEFAULT_URI
}

const ExportMeta = z.object({
  xml: z.string().min(1),
  disks: z.array(z.object({target: z.string().min(1), relPath: z.string().min(1), format: z.enum(['raw', 'qcow2', 'vmdk']), virtualBytes: z.number().int().nonnegative(), volume: z.string().min(1)})),
})
type ExportMeta = z.infer<typeof ExportMeta>

// The staged image becomes the volume file: linked when both are on one filesystem (staging is
// removed after the import, so the volume is then its only name), copied sparse otherwise.
const PLACE_SCRIPT = 'ln -f -- "$1" "$2" 2>/dev/null || cp --sparse=always --reflink=auto -- "$1" "$2"'

/** How long a started guest may take to boot far enough to answer its agent. */
const GUEST_BOOT_TIMEOUT_MS = 180_000

const SAFE_VOL = /^[A-Za-z0-9][A-Za-z0-9._+-]*$/

/** Volume name on the target: the source file's name, or `<new name>-<target>.<format>` when renamed. */
export function targetVolumeName(sourceFile: string, sourceVm: string, targetVm: string, target: string, format: string): string {
  const base = path.posix.basename(sourceFile)
  if (sourceVm === targetVm && SAFE_VOL.test(base)) return base
  const stem = targetVm.replaceAll(/[^A-Za-z0-9._+-]/g, '_').replace(/^[^A-Za-z0-9]+/, '') || 'vm'
  return `${stem}-${target}.${format}`
}

async function stop(host: HostSpec, name: string, ctx: Context, options: {timeoutMs: number; force: boolean}, uri = v.DEFAULT_URI): Promise<void> {
  const shell = ctx.shells.get(host)
  let state = await domainState(shell, uri, name)
  if (state.state === 'stopped') return
  ctx.reporter.step(`Shutting down ${name} on ${shell.label}`)
  await tryVirsh(shell, v.shutdown(uri, name), v.TIMEOUTS.lifecycle)
  const deadline = Date.now() + options.timeoutMs
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500))
    state = await domainState(shell, uri, name)
    if (state.state === 'stopped') return
  }
  if (!options.force) {
    throw new OcvmError('stop-timeout', `${name} on ${shell.label} did not shut down within ${Math.round(options.timeoutMs / 1000)} s (state: ${state.raw})`, {
      hint: 'Shut the guest down from inside, or pass --force-stop to power it off hard (like pulling the plug).',
    })
  }
  ctx.reporter.step(`Powering off ${name} (--force-stop)`)
  await runVirsh(shell, v.destroy(uri, name), v.TIMEOUTS.lifecycle)
}

async function start(host: HostSpec, name: string, ctx: Context, uri = v.DEFAULT_URI): Promise<void> {
  const shell = ctx.shells.get(host)
  const state = await domainState(shell, uri, name)
  if (state.state !== 'running') await runVirsh(shell, v.start(uri, name), v.TIMEOUTS.lifecycle)
  for (let i = 0; i < 60; i++) {
    if ((await domainState(shell, uri, name)).state === 'running') return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new OcvmError('start-failed', `${name} on ${shell.label} did not reach "running"`, {hint: `Look at /var/log/libvirt/qemu/${name}.log on ${shell.label}.`})
}

async function exportVm(host: HostSpec, name: string, ctx: Context, uri = v.DEFAULT_URI, targetName = name): Promise<ExportSet> {
  const shell = ctx.shells.get(host)
  const vm = await inspect(host, name, ctx, uri)
  if (vm.state !== 'stopped') {
    throw new OcvmError('vm-running', `${name} on ${shell.label} is ${vm.state}; a disk image is only consistent when the domain is shut off`, {
      hint: 'Let ocvm stop it (the migration does, gracefully), shut it down yourself, or use --live to move it while it runs.',
    })
  }
  const chained = vm.disks.find((d) => d.backingChain.length > 0)
  if (chained) {
    throw new UnsupportedError(`disk ${chained.target} of ${name} has a backing chain (${chained.backingChain.join(' <- ')})`, 'Flatten it first (qemu-img convert -O qcow2 disk flat.qcow2, or virsh blockpull while it runs); moving chains is not supported yet.')
  }
  const {xml, fileBytes, ...info} = vm
  const disks: ExportMeta['disks'] = vm.disks.map((d) => ({
    target: d.target,
    // The transfer keeps file names; one dir per disk target keeps equal names apart.
    relPath: `disks/${d.target}/${path.posix.basename(d.path)}`,
    format: d.format as 'raw' | 'qcow2' | 'vmdk',
    virtualBytes: d.virtualBytes,
    volume: targetVolumeName(d.path, name, targetName, d.target, d.format),
  }))
  const meta: ExportMeta = {xml, disks}
  return {
    vm: info,
    files: vm.disks.map((d, i) => ({source: d.path, relPath: disks[i]!.relPath, bytes: fileBytes[d.target] ?? 0, sparse: true})),
    meta,
  }
}

// What an import created, one JSON line per volume or definition, appended in the (per-run, 0700)
// staging dir BEFORE it is created: after a crash mid-import, the next attempt and --rollback know
// exactly what to take away, and nothing else.
const LEDGER = '.ocvm-libvirt-import'
const LedgerLine = z.union([z.object({pool: z.string(), volume: z.string()}), z.object({define: z.string()})])
type LedgerLine = z.infer<typeof LedgerLine>

async function ledgerAdd(shell: Shell, stagingDir: string, line: LedgerLine): Promise<void> {
  await shell.script('printf "%s\\n" "$2" >>"$1"', [path.posix.join(stagingDir, LEDGER), JSON.stringify(line)], {timeoutMs: v.TIMEOUTS.query})
}

async function ledgerRead(shell: Shell, stagingDir: string): Promise<LedgerLine[]> {
  const out = (await shell.script('cat -- "$1" 2>/dev/null; true', [path.posix.join(stagingDir, LEDGER)], {timeoutMs: v.TIMEOUTS.query})).stdout
  // A line cut short by a crash names nothing that was created yet: skip it.
  return out.split('\n').flatMap((l) => {
    try {
      const parsed = LedgerLine.safeParse(JSON.parse(l))
      return parsed.success ? [parsed.data] : []
    } catch {
      return []
    }
  })
}

/**
 * Undoes an import of this staging dir that did not finish (ocvm killed, a host gone): the domain it
 * defined, if it is still ours (its metadata names only volumes of the ledger), then its volumes.
 */
async function abandonImport(host: HostSpec, request: {stagingDir: string; options: Record<string, unknown>}, ctx: Context): Promise<void> {
  const shell = ctx.shells.get(host)
  const uri = localUri(parseLibvirtOptions(request.options).targetConnect)
  const lines = await ledgerRead(shell, request.stagingDir)
  if (lines.length === 0) return
  const volumes = lines.flatMap((l) => ('volume' in l ? [l] : []))
  const ours = (vol: {pool: string; volume: string}) => volumes.some((x) => x.pool === vol.pool && x.volume === vol.volume)
  for (const l of lines) {
    if (!('define' in l) || !(await domainExists(shell, uri, l.define))) continue
    const dom = parseDomainXml((await runVirsh(shell, v.dumpxmlInactive(uri, l.define))).stdout)
    if (dom.importedVolumes.length === 0 || !dom.importedVolumes.every(ours)) continue
    ctx.reporter.step(`Removing ${l.define}, defined by an import that did not finish`)
    if ((await domainState(shell, uri, l.define)).state !== 'stopped') await tryVirsh(shell, v.destroy(uri, l.define), v.TIMEOUTS.lifecycle)
    await runVirsh(shell, v.undefine(uri, l.define), v.TIMEOUTS.lifecycle)
  }
  for (const vol of volumes) {
    if ((await tryVirsh(shell, v.volDelete(uri, vol.pool, vol.volume))).exitCode === 0) ctx.reporter.step(`Removed ${vol.pool}/${vol.volume}, left by an import that did not finish`)
  }
  await shell.exec(['rm', '-f', '--', path.posix.join(request.stagingDir, LEDGER)], {timeoutMs: v.TIMEOUTS.query})
}

async function importVm(host: HostSpec, request: {exportSet: ExportSet; stagingDir: string; targetName: string; options: Record<string, unknown>; dryRun: boolean}, ctx: Context): Promise<VmSummary> {
  const options = parseLibvirtOptions(request.options)
  const meta = ExportMeta.safeParse(request.exportSet.meta)
  if (!meta.success) throw new OcvmError('bug', 'libvirt import: the export set was not made by the libvirt driver')
  const shell = ctx.shells.get(host)
  const uri = localUri(options.targetConnect)
  const pool = options.targetPool
  const name = request.targetName
  const renamed = name !== request.exportSet.vm.name

  // An earlier attempt of this import that was cut short is undone first, then done again.
  if (!request.dryRun) await abandonImport(host, request, ctx)
  // Preflight: nothing is created until every check passed.
  if (await domainExists(shell, uri, name)) {
    throw new OcvmError('vm-exists', `a domain named "${name}" already exists on ${shell.label}; ocvm never overwrites one`, {
      hint: 'Pick another name with --target-name, or remove the existing domain on the target first (virsh undefine).',
      details: {vm: name, host: shell.label},
    })
  }
  const poolRun = await tryVirsh(shell, v.poolInfo(uri, pool))
  if (poolRun.exitCode !== 0 || parsePoolState(poolRun.stdout) !== 'running') {
    throw new OcvmError('pool-not-found', `storage pool "${pool}" ${poolRun.exitCode === 0 ? 'is not running' : 'does not exist'} on ${shell.label}`, {
      hint: `Choose an existing pool with --target-pool (virsh pool-list --all on the target), or create it: virsh pool-define-as ${pool} dir --target /var/lib/libvirt/images && virsh pool-start ${pool}.`,
    })
  }
  const volumes = meta.data.disks.map((d) => ({...d, volume: renamed ? targetVolumeName('', request.exportSet.vm.name, name, d.target, d.format) : d.volume}))
  for (const d of volumes) {
    const r = await tryVirsh(shell, v.volInfo(uri, pool, d.volume))
    if (r.exitCode === 0) {
      throw new OcvmError('volume-exists', `volume "${d.volume}" already exists in pool ${pool} on ${shell.label}; ocvm never overwrites one`, {
        hint: 'Rename the VM with --target-name (its volumes get new names), or remove the stale volume (virsh vol-delete).',
      })
    }
  }
  if (request.dryRun) {
    ctx.reporter.step(`would create ${volumes.map((d) => `${pool}/${d.volume}`).join(', ')} and define ${name} on ${shell.label}`)
    return {name, state: 'stopped'}
  }

  const poolType = /^<pool type=['"]([a-z]+)['"]/.exec((await runVirsh(shell, v.poolDumpxml(uri, pool))).stdout.trimStart())?.[1]
  const fileBacked = poolType === 'dir' || poolType === 'fs' || poolType === 'netfs'
  const created: Array<{pool: string; volume: string}> = []
  try {
    const diskPaths: Record<string, string> = {}
    for (const d of volumes) {
      ctx.reporter.step(`Placing ${d.target} into ${pool}/${d.volume} (sparse)`)
      await ledgerAdd(shell, request.stagingDir, {pool, volume: d.volume})
      await runVirsh(shell, v.volCreateAs(uri, pool, d.volume, d.virtualBytes, d.format), v.TIMEOUTS.lifecycle)
      created.push({pool, volume: d.volume})
      const volPath = (await runVirsh(shell, v.volPath(uri, pool, d.volume))).stdout.trim()
      const staged = path.posix.join(request.stagingDir, d.relPath)
      if (fileBacked) {
        // A dir pool's volume is a file: replace it with the verified image itself. On the same
        // filesystem that is a hard link (no copy, no second copy's worth of disk), else an exact
        // sparse copy. (vol-upload writes over the fresh volume without truncating it, and skips
        // the image's holes, so bytes of the empty qcow2 it replaces could survive in them.)
        await shell.script(PLACE_SCRIPT, [staged, volPath], {timeoutMs: v.TIMEOUTS.upload})
      } else {
        await runVirsh(shell, v.volUpload(uri, pool, d.volume, staged), v.TIMEOUTS.upload)
      }
      diskPaths[d.target] = volPath
    }
    await runVirsh(shell, v.poolRefresh(uri, pool))
    const xml = rewriteDomainXml(meta.data.xml, {
      diskPaths,
      ...(renamed ? {name} : {}),
      ...(options.networkMap ? {networkMap: options.networkMap} : {}),
      newMac: options.newMac,
      importedVolumes: created,
    })
    await ledgerAdd(shell, request.stagingDir, {define: name})
    await defineXml(shell, uri, xml)
  } catch (error) {
    for (const c of created.reverse()) await tryVirsh(shell, v.volDelete(uri, c.pool, c.volume))
    await shell.exec(['rm', '-f', '--', path.posix.join(request.stagingDir, LEDGER)], {allowFailure: true, timeoutMs: v.TIMEOUTS.query})
    throw error
  }
  const info = parseDominfo((await runVirsh(shell, v.dominfo(uri, name))).stdout)
  return {name, state: info.state, id: info.uuid}
}

/** `virsh define` from a private temp file on the host (the XML goes over stdin, not argv). */
export async function defineXml(shell: Shell, uri: string, xml: string): Promise<void> {
  const body = 'set -e; t=$(mktemp); trap \'rm -f "$t"\' EXIT; cat >"$t"; virsh -c "$1" define --file "$t" >/dev/null'
  await shell.script(body, [uri], {input: xml, timeoutMs: v.TIMEOUTS.lifecycle})
}

async function removeImported(host: HostSpec, name: string, ctx: Context, uri = v.DEFAULT_URI): Promise<void> {
  const shell = ctx.shells.get(host)
  if (!(await domainExists(shell, uri, name))) return
  const dom = parseDomainXml((await runVirsh(shell, v.dumpxmlInactive(uri, name))).stdout)
  // Only a domain ocvm defined carries our metadata; anything else is not ours to remove.
  if (dom.importedVolumes.length === 0) {
    throw new OcvmError('not-ours', `domain "${name}" on ${shell.label} was not created by ocvm; leaving it alone`, {hint: 'Remove it yourself if it should go (virsh undefine).'})
  }
  if ((await domainState(shell, uri, name)).state !== 'stopped') await tryVirsh(shell, v.destroy(uri, name), v.TIMEOUTS.lifecycle)
  await runVirsh(shell, v.undefine(uri, name), v.TIMEOUTS.lifecycle)
  for (const vol of dom.importedVolumes) await tryVirsh(shell, v.volDelete(uri, vol.pool, vol.volume))
}

async function guestShell(host: HostSpec, name: string, ctx: Context, uri = v.DEFAULT_URI): Promise<Shell> {
  const shell = ctx.shells.get(host)
  if ((await domainState(shell, uri, name)).state !== 'running') {
    throw new OcvmError('vm-not-running', `${name} on ${shell.label} is not running, so nothing can run inside it`, {hint: 'Start it first (ocvm starts it after an import).'})
  }
  const dom = parseDomainXml((await runVirsh(shell, v.dumpxml(uri, name))).stdout)
  if (dom.guestAgent) {
    // Right after a start the guest is still booting: its agent comes up late.
    await waitForAgent(shell, uri, name, GUEST_BOOT_TIMEOUT_MS)
    return agentShell(shell, uri, name)
  }
  const address = await guestAddress(shell, uri, name)
  if (address) return ctx.shells.get({kind: 'ssh', host: address})
  throw new OcvmError('guest-unreachable', `no way into ${name}: it has no guest-agent channel and libvirt knows no IP address for it`, {
    hint: 'Add a channel named org.qemu.guest_agent.0 and run qemu-guest-agent in the guest, or give it an address libvirt can see (libvirt DHCP network).',
  })
}

async function list(host: HostSpec, ctx: Context, uri = v.DEFAULT_URI): Promise<VmSummary[]> {
  const shell = ctx.shells.get(host)
  const all = parseNames((await runVirsh(shell, v.listNames(uri, 'all'))).stdout)
  const running = new Set(parseNames((await runVirsh(shell, v.listNames(uri, 'running'))).stdout))
  const paused = new Set(parseNames((await runVirsh(shell, v.listNames(uri, 'paused'))).stdout))
  return all.map((name) => ({name, state: running.has(name) ? 'running' : paused.has(name) ? 'paused' : 'stopped'}))
}

/** Every verb with the source URI taken from ctx-independent options (tests and the pipeline pass them). */
export function createLibvirtDriver(options: {connect?: string} = {}): ImageDriver {
  const uri = options.connect ?? v.DEFAULT_URI
  return defineDriver({
    name: 'libvirt',
    apiVersion: DRIVER_API_VERSION,
    description: 'KVM/QEMU through libvirt (virsh): sparse, checksummed disk moves and --live migration.',
    capabilities: {level: 'image', export: true, import: true, live: true, guestExec: true, formats: ['raw', 'qcow2', 'vmdk'] as DiskFormat[]},
    async probe(host, ctx) {
      const shell = ctx.shells.get(host)
      const r = await shell.script('command -v virsh >/dev/null || { echo missing virsh; exit 0; }; command -v qemu-img >/dev/null || { echo missing qemu-img; exit 0; }; virsh -c "$1" version --daemon 2>&1 | sed -n "s/^Running against daemon: //p; s/^error: //p" | head -n 2', [uri], {timeoutMs: v.TIMEOUTS.query})
      const out = r.stdout.trim()
      if (out.startsWith('missing ')) return {available: false, missing: true, detail: `${out.slice(8)} is not installed on ${shell.label} (Debian/Ubuntu: apt-get install libvirt-clients qemu-utils)`}
      const version = /^(\d+\.\d+\.\d+)/.exec(out)?.[1]
      return version ? {available: true, version} : {available: false, detail: `cannot talk to libvirt at ${uri} on ${shell.label}: ${out || 'no answer'}`}
    },
    list: (host, ctx) => list(host, ctx, uri),
    inspect: async (host, name, ctx) => {
      const {xml: _x, fileBytes: _f, ...info} = await inspect(host, name, ctx, uri)
      return info
    },
    stop: (host, name, ctx, o) => stop(host, name, ctx, o, uri),
    start: (host, name, ctx) => start(host, name, ctx, uri),
    exportVm: (host, name, ctx) => exportVm(host, name, ctx, uri),
    importVm: (host, request, ctx) => importVm(host, request, ctx),
    removeImported: (host, name, ctx) => removeImported(host, name, ctx),
    abandonImport: (host, request, ctx) => abandonImport(host, request, ctx),
    guestShell: (host, name, ctx) => guestShell(host, name, ctx),
    async liveMigrate(source, target, name, ctx, request) {
      if (request.targetName !== name) throw new UnsupportedError('--live keeps the domain\'s name', 'Leave out --target-name, or move it cold (without --live) to rename it.')
      const {liveMigrate} = await import('./live.js')
      const done = await liveMigrate(source, target, name, {options: request.options, dryRun: request.dryRun}, ctx)
      return {name, state: request.dryRun ? done.vm.state : 'running', ...(done.vm.id ? {id: done.vm.id} : {})}
    },
  })
}

export const libvirtDriver = createLibvirtDriver()
export {inspect as inspectDomain}
