import type {Context} from '../../context.js'
import {MissingToolError, OcvmError, UnsupportedError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {defineDriver, DRIVER_API_VERSION, type ImageDriver, type VmInfo} from '../api.js'
import {runTool, unlessNotFound} from '../common/run-tool.js'
import {bytesToMiB, launchRelease, launchShape, mpArgv} from './argv.js'
import {MP_TOOL} from './errors.js'
import {multipassGuestShell} from './guest-shell.js'
import {mpState, optionalInt, parseMpInfo, parseMpList, type MpInstance} from './schema.js'

const noExport = (name: string, where: string) => new UnsupportedError(
  `multipass has no image export or import (canonical/multipass#1271, #3377): ocvm cannot move instance "${name}" on ${where} as an image`,
  'ocvm moves the OpenClaw state instead: it launches a fresh instance on the target shaped like the source and moves the state into it (`--mode state`, the default for --driver multipass).',
)

const label = (host: HostSpec, ctx: Context) => ctx.shells.get(host).label

async function info(host: HostSpec, name: string, ctx: Context): Promise<MpInstance> {
  const result = await runTool(MP_TOOL, host, ctx, mpArgv.info(name), {timeoutMs: 60_000})
  return parseMpInfo(result.stdout, name, label(host, ctx))
}

function findInfo(host: HostSpec, name: string, ctx: Context): Promise<MpInstance | undefined> {
  return unlessNotFound(info(host, name, ctx))
}

function toVmInfo(name: string, i: MpInstance): VmInfo {
  const disks = Object.entries(i.disks).flatMap(([target, d]) =>
    d.total ? [{target, path: `multipass:${name}/${target}`, format: 'img' as const, virtualBytes: Number(d.total), allocatedBytes: Number(d.used ?? 0), backingChain: []}] : [],
  )
  const cpus = optionalInt(i.cpu_count)
  return {
    name,
    state: mpState(i.state),
    os: 'linux',
    arch: 'unknown',
    ...(cpus ? {cpus} : {}),
    ...(i.memory.total ? {memoryMiB: bytesToMiB(i.memory.total)} : {}),
    disks,
    ...(i.ipv4[0] ? {address: i.ipv4[0]} : {}),
    ...(i.image_release ? {release: i.image_release} : {}),
  }
}

/**
 * Canonical Multipass. Multipass cannot export or import an instance (reference §3.4), so this is a
 * STATE move, not an image move: `provisionLike` launches a fresh instance on the target with the
 * source's release, CPUs, memory and disk, and the pipeline moves the OpenClaw state from the source
 * instance into it with the file driver, through `multipass exec` on each side.
 */
export const multipassDriver = defineDriver({
  name: 'multipass',
  apiVersion: DRIVER_API_VERSION,
  description: 'Multipass instances: a STATE move, not an image move (Multipass has no export): launches a like-shaped instance on the target and moves the OpenClaw state into it via `multipass exec`.',
  capabilities: {level: 'image', export: false, import: false, live: false, guestExec: true, formats: []},

  async probe(host, ctx) {
    let version: string
    try {
      const result = await runTool(MP_TOOL, host, ctx, mpArgv.version(), {timeoutMs: 30_000})
      version = /^multipass\s+(\S+)/m.exec(result.stdout)?.[1] ?? result.stdout.trim()
    } catch (error) {
      if (error instanceof MissingToolError) return {available: false, missing: true, detail: `${error.message}. ${error.hint ?? ''}`.trim()}
      throw error
    }
    try {
      await runTool(MP_TOOL, host, ctx, mpArgv.list(), {timeoutMs: 60_000})
    } catch (error) {
      if (error instanceof OcvmError && error.code === 'hypervisor-unavailable') return {available: false, version, detail: `${error.message}. ${error.hint ?? ''}`}
      throw error
    }
    return {available: true, version}
  },

  async list(host, ctx) {
    const result = await runTool(MP_TOOL, host, ctx, mpArgv.list(), {timeoutMs: 60_000})
    return parseMpList(result.stdout, label(host, ctx)).map((i) => ({name: i.name, state: mpState(i.state)}))
  },

  async inspect(host, name, ctx) {
    return toVmInfo(name, await info(host, name, ctx))
  },

  async stop(host, name, ctx, options) {
    const i = await info(host, name, ctx)
    if (i.state === 'Stopped') return
    try {
      await runTool(MP_TOOL, host, ctx, mpArgv.stop(name), {timeoutMs: options.timeoutMs})
    } catch (error) {
      if (error instanceof VmNotFoundError || !(error instanceof OcvmError) || !options.force) throw error
      ctx.reporter.warn(`multipass instance ${name} did not stop gracefully; powering it off (--force-stop)`)
      await runTool(MP_TOOL, host, ctx, mpArgv.stop(name, true), {timeoutMs: 120_000})
    }
  },

  async start(host, name, ctx) {
    const i = await info(host, name, ctx)
    if (i.state === 'Running') return
    await runTool(MP_TOOL, host, ctx, mpArgv.start(name), {timeoutMs: 600_000})
  },

  async exportVm(host, name, ctx) {
    throw noExport(name, label(host, ctx))
  },

  async importVm(host, request, ctx) {
    throw noExport(request.targetName, label(host, ctx))
  },

  async provisionLike(host, like, name, ctx, dryRun) {
    const where = label(host, ctx)
    if (await findInfo(host, name, ctx)) throw new VmExistsError('multipass', name, where)
    const release = launchRelease(like.release)
    if (!release) {
      throw new OcvmError('unknown-release', `cannot tell which Ubuntu release ${like.name} runs (multipass reports "${like.release ?? ''}")`, {hint: 'Only Ubuntu images can be re-created; move the state with --driver file to a host you prepared instead.'})
    }
    if (dryRun) return {name, state: 'stopped'}
    const shape = launchShape({cpus: like.cpus, memoryMiB: like.memoryMiB, diskBytes: like.disks[0]?.virtualBytes})
    ctx.reporter.step(`launching ${name} on ${where}: Ubuntu ${release}, ${shape.cpus} CPU, ${shape.memoryMiB} MiB, ${shape.diskGiB} GiB`)
    await runTool(MP_TOOL, host, ctx, mpArgv.launch(release, name, shape), {timeoutMs: 960_000})
    const made = await info(host, name, ctx)
    if (made.state !== 'Running') throw new VmStateError('multipass', name, where, `is ${made.state} after launch`, `Check \`multipass info ${name}\` on ${where}.`)
    return {name, state: 'running'}
  },

  async removeImported(host, name, ctx) {
    if (!(await findInfo(host, name, ctx))) return
    await runTool(MP_TOOL, host, ctx, mpArgv.purge(name), {timeoutMs: 300_000})
  },

  async guestShell(host, name, ctx) {
    // Fail early and clearly for an unknown instance; exec itself starts a stopped one.
    await info(host, name, ctx)
    return multipassGuestShell(host, name, ctx)
  },
} satisfies ImageDriver)
