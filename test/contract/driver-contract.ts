// The driver contract suite: the MUST/MUST NOT rules of src/drivers/api.ts, checked the same way
// on every image driver (lume, parallels, multipass here; libvirt and third-party drivers can run
// it too). A harness gives two hosts with the driver's tool on them and a few test-side helpers;
// everything else goes through the driver's verbs.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Context} from '../../src/context.js'
import type {ExportSet, ImageDriver, VmInfo} from '../../src/drivers/api.js'
import type {HostSpec} from '../../src/hosts/host-spec.js'
import {caught} from '../helpers/caught.js'

export interface ContractHarness {
  driver: ImageDriver
  source: HostSpec
  target: HostSpec
  ctx: Context
  /** Creates a stopped VM `name` on the source whose disk holds some non-zero data (and holes). */
  createVm(name: string): Promise<void>
  /** Copies an export set's files into a fresh staging dir on the target (sparse), like the pipeline; returns the dir. */
  stage(exportSet: ExportSet): Promise<string>
  /** A command run in a guest and what it prints in the source's / the target's guest. */
  guestProbe: {argv: string[]; source: RegExp; target: RegExp}
  /** Driver options for importVm. */
  importOptions?: Record<string, unknown>
  cleanup(): Promise<void>
}

async function sha256(ctx: Context, host: HostSpec, file: string): Promise<string> {
  const r = await ctx.shells.get(host).script('sha256sum < "$1" | cut -d" " -f1', [file])
  return r.stdout.trim()
}

async function allocated(ctx: Context, host: HostSpec, file: string): Promise<number> {
  const r = await ctx.shells.get(host).script('du -B1 -- "$1" | cut -f1', [file])
  return Number(r.stdout.trim())
}

async function checksums(ctx: Context, host: HostSpec, set: ExportSet, only: (f: ExportSet['files'][number]) => boolean = () => true): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const f of set.files.filter(only)) out[f.relPath] = await sha256(ctx, host, f.source)
  return out
}

// Disks must arrive byte-exact; definition files may be rewritten on import (a new UUID, the new name).
const disksOnly = (f: ExportSet['files'][number]) => f.sparse

export function describeImageDriverContract(title: string, makeHarness: () => Promise<ContractHarness>): void {
  describe(`driver contract: ${title}`, {timeout: 120_000}, () => {
    let h: ContractHarness
    const VM = 'contract-vm'
    const MOVED = 'contract-moved'

    beforeAll(async () => {
      h = await makeHarness()
      await h.createVm(VM)
    }, 300_000)
    afterAll(async () => {
      await h?.cleanup()
    }, 300_000)

    it('probe finds the tool and its version', async () => {
      const probe = await h.driver.probe(h.source, h.ctx)
      expect(probe).toMatchObject({available: true})
      expect(probe.version).toMatch(/\d+\.\d+/)
    })

    it('list and inspect describe the VM without changing it', async () => {
      const list = await h.driver.list(h.source, h.ctx)
      expect(list).toContainEqual(expect.objectContaining({name: VM, state: 'stopped'}))
      const info = await h.driver.inspect(h.source, VM, h.ctx)
      expect(info).toMatchObject({name: VM, state: 'stopped'})
      // Some tools (Multipass) report sizes only for running instances.
      if (info.cpus !== undefined) expect(info.cpus).toBeGreaterThan(0)
      if (info.memoryMiB !== undefined) expect(info.memoryMiB).toBeGreaterThan(0)
      expect(await h.driver.list(h.source, h.ctx)).toEqual(list)
    })

    it('inspect of an unknown VM is vm-not-found', async () => {
      const error = await caught(h.driver.inspect(h.source, 'no-such-vm', h.ctx))
      expect(error).toMatchObject({code: 'vm-not-found'})
      expect((error as {hint?: string}).hint).toBeTruthy()
    })

    it('start and stop change the state and are idempotent; a guest shell runs commands in the guest', async () => {
      await h.driver.start(h.source, VM, h.ctx)
      expect((await h.driver.inspect(h.source, VM, h.ctx)).state).toBe('running')
      await h.driver.start(h.source, VM, h.ctx)

      const guest = await h.driver.guestShell(h.source, VM, h.ctx)
      expect((await guest.exec(h.guestProbe.argv)).stdout).toMatch(h.guestProbe.source)
      // Streaming stdin/stdout (the state transfer pipes tar through the guest shell).
      expect((await guest.exec(['cat'], {input: 'through the guest\n'})).stdout).toBe('through the guest\n')
      expect((await guest.exec(['sh', '-c', 'exit 7'], {allowFailure: true})).exitCode).toBe(7)

      if (h.driver.capabilities.export) {
        const error = await caught(h.driver.exportVm(h.source, VM, h.ctx))
        expect(error).toMatchObject({code: 'vm-state'})
      }
      await h.driver.stop(h.source, VM, h.ctx, {timeoutMs: 30_000, force: false})
      expect((await h.driver.inspect(h.source, VM, h.ctx)).state).toBe('stopped')
      await h.driver.stop(h.source, VM, h.ctx, {timeoutMs: 30_000, force: false})
    })

    it('guestShell of a stopped VM is a clear error, not a hang', async () => {
      if (!h.driver.capabilities.export) return void expect(h.driver.capabilities.guestExec).toBe(true)
      const error = await caught(h.driver.guestShell(h.source, VM, h.ctx))
      expect(error).toMatchObject({code: 'vm-state'})
    })

    it('export → stage → import moves the VM byte-exact, sparse, without touching the source or overwriting', async () => {
      if (!h.driver.capabilities.export) {
        const error = await caught(h.driver.exportVm(h.source, VM, h.ctx))
        expect(error).toMatchObject({code: 'unsupported'})
        return
      }
      const exported = await h.driver.exportVm(h.source, VM, h.ctx)
      expect(exported.vm.name).toBe(VM)
      expect(exported.files.length).toBeGreaterThan(0)
      for (const f of exported.files) expect(f.relPath).not.toMatch(/^\/|(^|\/)\.\.(\/|$)/)
      const sparse = exported.files.filter((f) => f.sparse)
      expect(sparse.length).toBeGreaterThan(0)
      const before = await checksums(h.ctx, h.source, exported)

      const stagingDir = await h.stage(exported)
      const request = {exportSet: exported, stagingDir, targetName: MOVED, options: h.importOptions ?? {}}
      const planned = await h.driver.importVm(h.target, {...request, dryRun: true}, h.ctx)
      expect(planned.name).toBe(MOVED)
      expect((await h.driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)

      const imported = await h.driver.importVm(h.target, {...request, dryRun: false}, h.ctx)
      expect(imported).toMatchObject({name: MOVED, state: 'stopped'})
      const onTarget = await h.driver.inspect(h.target, MOVED, h.ctx)
      expect(onTarget).toMatchObject({name: MOVED, state: 'stopped', cpus: exported.vm.cpus, memoryMiB: exported.vm.memoryMiB})

      const reExported = await h.driver.exportVm(h.target, MOVED, h.ctx)
      expect(reExported.files.length).toBe(exported.files.length)
      const disksBefore = await checksums(h.ctx, h.source, exported, disksOnly)
      const disksAfter = await checksums(h.ctx, h.target, reExported, disksOnly)
      expect(Object.values(disksAfter).sort()).toEqual(Object.values(disksBefore).sort())
      for (const f of reExported.files.filter((x) => x.sparse)) {
        expect(await allocated(h.ctx, h.target, f.source)).toBeLessThan(f.bytes)
      }
      // The source is untouched.
      expect(await checksums(h.ctx, h.source, exported)).toEqual(before)
      expect((await h.driver.inspect(h.source, VM, h.ctx)).state).toBe('stopped')

      // Never overwrite: a second import of the same name is refused.
      const again = await caught(h.driver.importVm(h.target, {...request, stagingDir: await h.stage(exported), dryRun: false}, h.ctx))
      expect(again).toMatchObject({code: 'vm-exists'})

      // The imported VM boots and its guest is the target's.
      await h.driver.start(h.target, MOVED, h.ctx)
      const guest = await h.driver.guestShell(h.target, MOVED, h.ctx)
      expect((await guest.exec(h.guestProbe.argv)).stdout).toMatch(h.guestProbe.target)

      await h.driver.removeImported(h.target, MOVED, h.ctx)
      expect((await h.driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)
      await h.driver.removeImported(h.target, MOVED, h.ctx)
      expect((await h.driver.list(h.source, h.ctx)).map((v) => v.name)).toContain(VM)
    })

    it('provisionLike (drivers without export) creates a running VM shaped like the source, never over an existing one', async () => {
      if (h.driver.capabilities.export) return void expect(h.driver.provisionLike === undefined || typeof h.driver.provisionLike === 'function').toBe(true)
      expect(h.driver.provisionLike).toBeTypeOf('function')
      await h.driver.start(h.source, VM, h.ctx)
      const like: VmInfo = await h.driver.inspect(h.source, VM, h.ctx)
      await h.driver.stop(h.source, VM, h.ctx, {timeoutMs: 30_000, force: false})
      expect(like.cpus).toBeGreaterThan(0)
      const planned = await h.driver.provisionLike!(h.target, like, MOVED, h.ctx, true)
      expect(planned.name).toBe(MOVED)
      expect((await h.driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)

      const made = await h.driver.provisionLike!(h.target, like, MOVED, h.ctx, false)
      expect(made).toMatchObject({name: MOVED, state: 'running'})
      const info = await h.driver.inspect(h.target, MOVED, h.ctx)
      expect(info.cpus).toBe(like.cpus)
      const guest = await h.driver.guestShell(h.target, MOVED, h.ctx)
      expect((await guest.exec(h.guestProbe.argv)).stdout).toMatch(h.guestProbe.target)

      expect(await caught(h.driver.provisionLike!(h.target, like, MOVED, h.ctx, false))).toMatchObject({code: 'vm-exists'})
      await h.driver.removeImported(h.target, MOVED, h.ctx)
      expect((await h.driver.list(h.target, h.ctx)).map((v) => v.name)).not.toContain(MOVED)
    })
  })
}
