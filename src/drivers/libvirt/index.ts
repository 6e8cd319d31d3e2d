import type {Context} from '../../context.js'
import {OcvmError, UnsupportedError} from '../../errors.js'
import {formatHostSpec, type HostSpec} from '../../hosts/host-spec.js'
import {execAll} from '../../hosts/batch.js'
import type {Shell} from '../../hosts/shell.js'
import {defineDriver, DRIVER_API_VERSION, type DiskFormat, type DriverHosts, type ImageDriver, type VmSummary} from '../api.js'
import {agentShell, waitForAgent} from './agent-shell.js'
import {domainExists, domainState, runVirsh, tryVirsh} from './domain.js'
import {parseDomainXml} from './domain-xml.js'
import {exportVm} from './export.js'
import {abandonImport, checkImport, importVm} from './import.js'
import {guestAddress, inspectDomain} from './inspect.js'
import {parseLibvirtOptions, targetLocalUri} from './options.js'
import {parseDominfo, parseNames} from './parse.js'
import * as v from './virsh.js'

/**
 * The libvirt driver: wraps `virsh` and `qemu-img` on each host (no bindings), through the host's
 * Shell. Cold moves: inspect → stop → exportVm (disk files and chains + the inactive domain XML) →
 * the pipeline's sparse, checksummed transfer → importVm (sparse volumes in the target pool,
 * rewritten XML, define). Live moves: `liveMigrate` (live.ts).
 */

export {defineXml, domainExists, domainState, runVirsh} from './domain.js'
export {backingVolumeName, targetVolumeName} from './export.js'
export {inspectDomain} from './inspect.js'

/** How long a started guest may take to boot far enough to answer its agent. */
const GUEST_BOOT_TIMEOUT_MS = 180_000

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

async function autostart(host: HostSpec, name: string, ctx: Context, set: boolean | undefined, uri = v.DEFAULT_URI): Promise<boolean> {
  const shell = ctx.shells.get(host)
  if (set !== undefined) await runVirsh(shell, v.autostart(uri, name, set), v.TIMEOUTS.lifecycle)
  return parseDominfo((await runVirsh(shell, v.dominfo(uri, name))).stdout).autostart
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
  // Three lists in one round trip; one that failed is asked again on its own, for the usual error.
  const argvs = [v.listNames(uri, 'all'), v.listNames(uri, 'running'), v.listNames(uri, 'paused')]
  const [all = [], running = [], paused = []] = await Promise.all((await execAll(shell, argvs, {timeoutMs: v.TIMEOUTS.query})).map(async (r, i) => parseNames(r.exitCode === 0 ? r.stdout : (await runVirsh(shell, argvs[i]!)).stdout)))
  return all.map((name) => ({name, state: running.includes(name) ? 'running' : paused.includes(name) ? 'paused' : 'stopped'}))
}

export interface LibvirtDriverSettings {
  /** URI on the source host (`--connect`). */
  connect?: string
  /** `--target-connect`: the target's own URI (cold moves), or how the source reaches it (`--live`). */
  targetConnect?: string
  /** Cold exports flatten backing chains (`--flatten`). */
  flatten?: boolean
  /** Which host is which in this run: verbs on the target use the target's URI. */
  hosts?: DriverHosts
}

function sameHost(a: HostSpec | undefined, b: HostSpec | undefined): boolean {
  return a !== undefined && b !== undefined && formatHostSpec(a) === formatHostSpec(b)
}

/**
 * The driver with its URIs bound: verbs on the run's target host talk to `--target-connect` (when
 * local there, else qemu:///system), verbs anywhere else to `--connect`. On a same-host copy both
 * are the source's libvirt.
 */
export function createLibvirtDriver(settings: LibvirtDriverSettings = {}): ImageDriver {
  const sourceUri = settings.connect ?? v.DEFAULT_URI
  const hosts = settings.hosts ?? {}
  const uriFor = (host: HostSpec): string => (sameHost(host, hosts.target) && !sameHost(host, hosts.source) ? targetLocalUri(settings.targetConnect) : sourceUri)
  const flatten = Boolean(settings.flatten)
  return defineDriver({
    name: 'libvirt',
    apiVersion: DRIVER_API_VERSION,
    description: 'KVM/QEMU through libvirt (virsh): sparse, checksummed disk moves and --live migration.',
    capabilities: {level: 'image', export: true, import: true, live: true, guestExec: true, formats: ['raw', 'qcow2', 'vmdk'] as DiskFormat[]},
    configure(options, runHosts) {
      const parsed = parseLibvirtOptions(options)
      return createLibvirtDriver({connect: parsed.connect, ...(parsed.targetConnect ? {targetConnect: parsed.targetConnect} : {}), flatten: Boolean(parsed.flatten), hosts: runHosts})
    },
    async probe(host, ctx) {
      const shell = ctx.shells.get(host)
      const uri = uriFor(host)
      const r = await shell.script('command -v virsh >/dev/null || { echo missing virsh; exit 0; }; command -v qemu-img >/dev/null || { echo missing qemu-img; exit 0; }; virsh -c "$1" version --daemon 2>&1 | sed -n "s/^Running against daemon: //p; s/^error: //p" | head -n 2', [uri], {timeoutMs: v.TIMEOUTS.query})
      const out = r.stdout.trim()
      if (out.startsWith('missing ')) return {available: false, missing: true, detail: `${out.slice(8)} is not installed on ${shell.label} (Debian/Ubuntu: apt-get install libvirt-clients qemu-utils)`}
      const version = /^(\d+\.\d+\.\d+)/.exec(out)?.[1]
      if (version) return {available: true, version}
      return {available: false, detail: `cannot talk to libvirt at ${uri} on ${shell.label}: ${out.replaceAll('\n', '; ') || 'no answer'} (is libvirtd running there? is the URI right: --connect / --target-connect?)`}
    },
    list: (host, ctx) => list(host, ctx, uriFor(host)),
    inspect: async (host, name, ctx) => {
      const {xml: _x, fileBytes: _f, layers: _l, ...info} = await inspectDomain(host, name, ctx, uriFor(host))
      return info
    },
    state: async (host, name, ctx) => (await domainState(ctx.shells.get(host), uriFor(host), name)).state,
    stop: (host, name, ctx, o) => stop(host, name, ctx, o, uriFor(host)),
    start: (host, name, ctx) => start(host, name, ctx, uriFor(host)),
    autostart: (host, name, ctx, set) => autostart(host, name, ctx, set, uriFor(host)),
    exportVm: (host, name, ctx) => exportVm(host, name, ctx, uriFor(host), {flatten}),
    checkImport: (host, request, ctx) => checkImport(host, request, ctx, uriFor(host), flatten),
    importVm: (host, request, ctx) => importVm(host, request, ctx, uriFor(host)),
    removeImported: (host, name, ctx) => removeImported(host, name, ctx, uriFor(host)),
    abandonImport: (host, request, ctx) => abandonImport(host, request, ctx, uriFor(host)),
    guestShell: (host, name, ctx) => guestShell(host, name, ctx, uriFor(host)),
    async liveMigrate(source, target, name, ctx, request) {
      if (request.targetName !== name) throw new UnsupportedError('--live keeps the domain\'s name', 'Leave out --target-name, or move it cold (without --live) to rename it.')
      const {liveMigrate} = await import('./live.js')
      const done = await liveMigrate(source, target, name, {options: {connect: sourceUri, ...request.options}, dryRun: request.dryRun}, ctx)
      return {name, state: request.dryRun ? done.vm.state : 'running', ...(done.vm.id ? {id: done.vm.id} : {})}
    },
  })
}

export const libvirtDriver = createLibvirtDriver()
