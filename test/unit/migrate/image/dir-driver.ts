// A test double of a hypervisor for the image pipeline's tests: a "VM" is a directory
// <root>/<name>/ holding vm.json (state, os, arch) and a sparse disk.img, driven through the real
// Shell of the host (ls, cat, mv, rm), so the pipeline's real transfer (tar --sparse, zstd,
// sha256sum) runs on real files. It is not a fake of any real hypervisor CLI.
import {execFileSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import {posix} from 'node:path'

import {defineDriver, DRIVER_API_VERSION, type ImageDriver, type VmInfo} from '../../../../src/drivers/api.js'
import type {Context} from '../../../../src/context.js'
import {OcvmError, UnsupportedError} from '../../../../src/errors.js'
import type {HostSpec} from '../../../../src/hosts/host-spec.js'
import type {Shell} from '../../../../src/hosts/shell.js'

export interface DirDriverOptions {
  root: string
  /** Fail importVm this many times (to test resume). */
  failImports?: number
  provision?: boolean
  arch?: 'x86_64' | 'arm64'
  canExport?: boolean
  /** The hypervisor is missing on hosts after the first one probed (a bare-host target). */
  onlyFirstHost?: boolean
}

export function dirDriver(options: DirDriverOptions): ImageDriver & {calls: string[]} {
  const calls: string[] = []
  let failures = options.failImports ?? 0
  const vmDir = (name: string) => posix.join(options.root, name)
  const read = async (shell: Shell, name: string) => JSON.parse((await shell.exec(['cat', posix.join(vmDir(name), 'vm.json')])).stdout) as {state: VmInfo['state']; arch?: VmInfo['arch']}
  const write = async (shell: Shell, name: string, state: VmInfo['state']) => {
    const old = await read(shell, name)
    await shell.script('printf %s "$2" > "$1"', [posix.join(vmDir(name), 'vm.json'), JSON.stringify({...old, state})])
  }
  const driver: ImageDriver & {calls: string[]} = defineDriver({
    name: 'dirvm',
    apiVersion: DRIVER_API_VERSION,
    description: 'test double: VMs are directories',
    capabilities: {level: 'image', export: options.canExport ?? true, import: options.canExport ?? true, live: false, guestExec: false, formats: ['raw']},
    calls,
    async probe() {
      calls.push('probe')
      if (options.onlyFirstHost && calls.filter((c) => c === 'probe').length > 1) return {available: false, missing: true, detail: 'dirvm is not installed'}
      return {available: true, version: 'test'}
    },
    async list(host, ctx) {
      const out = await ctx.shells.get(host).script('ls -1 -- "$1" 2>/dev/null; true', [options.root])
      const names = out.stdout.split('\n').filter(Boolean)
      return Promise.all(names.map(async (name) => ({name, state: (await read(ctx.shells.get(host), name)).state})))
    },
    async inspect(host, name, ctx) {
      const shell = ctx.shells.get(host)
      const meta = await read(shell, name).catch(() => {
        throw new OcvmError('vm-not-found', `no VM ${name}`, {hint: 'list them'})
      })
      const stat = (await shell.exec(['stat', '-c', '%s %b', posix.join(vmDir(name), 'disk.img')])).stdout.trim().split(' ').map(Number)
      return {
        name, state: meta.state, os: 'linux', arch: meta.arch ?? options.arch ?? 'x86_64', cpus: 1, memoryMiB: 128,
        disks: [{target: 'vda', path: posix.join(vmDir(name), 'disk.img'), format: 'raw', virtualBytes: stat[0] ?? 0, allocatedBytes: (stat[1] ?? 0) * 512, backingChain: []}],
      }
    },
    async stop(host, name, ctx) {
      calls.push(`stop ${name}`)
      await write(ctx.shells.get(host), name, 'stopped')
    },
    async start(host, name, ctx) {
      calls.push(`start ${name}`)
      await write(ctx.shells.get(host), name, 'running')
    },
    async exportVm(host, name, ctx) {
      if (!(options.canExport ?? true)) throw new UnsupportedError('no export', 'state mode')
      const vm = await driver.inspect(host, name, ctx)
      if (vm.state !== 'stopped') throw new OcvmError('vm-running', 'running', {hint: 'stop it'})
      return {
        vm,
        files: [
          {source: posix.join(vmDir(name), 'vm.json'), relPath: 'meta/vm.json', bytes: 0, sparse: false},
          {source: posix.join(vmDir(name), 'disk.img'), relPath: 'disks/vda/disk.img', bytes: vm.disks[0]?.virtualBytes ?? 0, sparse: true},
        ],
        meta: {},
      }
    },
    async importVm(host, request, ctx) {
      calls.push(`import ${request.targetName}${request.dryRun ? ' (dry run)' : ''}`)
      if (failures > 0 && !request.dryRun) {
        failures--
        throw new OcvmError('import-failed', 'injected import failure', {hint: 'resume'})
      }
      const shell = ctx.shells.get(host)
      const dest = vmDir(request.targetName)
      const exists = await shell.script('test -e "$1" && echo yes || echo no', [dest])
      if (exists.stdout.trim() === 'yes') throw new OcvmError('target-exists', 'exists', {hint: 'rename'})
      if (request.dryRun) return {name: request.targetName, state: 'stopped'}
      await shell.script('mkdir -p "$1" && mv -- "$2/meta/vm.json" "$2/disks/vda/disk.img" "$1/"', [dest, request.stagingDir])
      await write(shell, request.targetName, 'stopped')
      return {name: request.targetName, state: 'stopped'}
    },
    async removeImported(host, name, ctx) {
      calls.push(`remove ${name}`)
      await ctx.shells.get(host).exec(['rm', '-rf', '--', vmDir(name)])
    },
    async guestShell(host, _name, ctx) {
      return ctx.shells.get(host)
    },
    ...(options.provision
      ? {
          async provisionLike(_host: HostSpec, like: VmInfo, name: string, _ctx: Context) {
            calls.push(`provision ${name} like ${like.name}`)
            return {name, state: 'running' as const}
          },
        }
      : {}),
  })
  return driver
}

/** A stopped or running "VM" under root: vm.json and a 64 MiB sparse disk.img with 1 MiB of random data at each MiB offset given. */
export function makeDirVm(root: string, name: string, state: 'running' | 'stopped', dataAtMiB: number[] = [0, 40]): string {
  const vm = posix.join(root, name)
  mkdirSync(vm, {recursive: true})
  writeFileSync(posix.join(vm, 'vm.json'), JSON.stringify({state}))
  const disk = posix.join(vm, 'disk.img')
  execFileSync('truncate', ['-s', '64M', disk])
  for (const seek of dataAtMiB) execFileSync('dd', ['if=/dev/urandom', `of=${disk}`, 'bs=1M', 'count=1', `seek=${seek}`, 'conv=notrunc', 'status=none'])
  return disk
}
