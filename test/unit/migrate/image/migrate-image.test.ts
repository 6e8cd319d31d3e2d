import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import type {Context} from '../../../../src/context.js'
import {OcvmError} from '../../../../src/errors.js'
import {createRunner} from '../../../../src/exec/runner.js'
import {ShellPool} from '../../../../src/hosts/shell.js'
import {migrateImage} from '../../../../src/migrate/image/migrate-image.js'
import {rollbackImage} from '../../../../src/migrate/image/rollback-image.js'
import type {ImageMigrateOptions} from '../../../../src/migrate/image/types.js'
import {formatBytes} from '../../../../src/output/format.js'
import {silentReporter} from '../../../../src/output/reporter.js'
import {renderMigrationPlan} from '../../../../src/views/migration-view.js'
import {caught} from '../../../helpers/caught.js'
import {dirDriver, makeDirVm} from './dir-driver.js'

// The image pipeline on this machine with a directory-backed test driver: real tar --sparse, zstd
// and sha256sum move a real sparse disk file into a real staging dir.
let dir: string
let root: string
let ctx: Context
const MiB = 1024 * 1024

// 64 MiB apparent, 2 MiB of data at two places: a sparse disk.
const makeVm = (name: string, state: 'running' | 'stopped') => makeDirVm(root, name, state)

function setPending(runId: string, steps: string[]): void {
  const file = path.join(dir, 'runs', runId, 'journal.json')
  const journal = JSON.parse(readFileSync(file, 'utf8'))
  journal.steps = journal.steps.map((s: {name: string}) => (steps.includes(s.name) ? {...s, status: 'pending'} : s))
  writeFileSync(file, JSON.stringify(journal))
}

const sha = (file: string) => execFileSync('sha256sum', [file]).toString().split(' ')[0]

function options(over: Partial<ImageMigrateOptions> = {}): ImageMigrateOptions {
  return {
    driver: 'dirvm', vm: 'vm-a', from: 'local', to: 'local', targetName: 'vm-b', stagingDir: path.join(dir, 'staging'),
    // The guest of this test driver is this machine: hooks have their own tests (one below passes a --user without a deployment).
    mode: 'auto', live: false, forceStop: false, stopTimeoutSec: 10, driverOptions: {}, dryRun: false, skipHooks: true, ...over,
  }
}

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocvm-img-'))
  root = path.join(dir, 'vms')
  process.env.OCVM_RUNS_DIR = path.join(dir, 'runs')
  ctx = {runner: createRunner(), shells: new ShellPool({runner: createRunner(), ssh: {}}), reporter: silentReporter}
})
afterEach(() => {
  rmSync(dir, {recursive: true, force: true})
  delete process.env.OCVM_RUNS_DIR
})

describe('migrateImage (image mode)', {timeout: 60_000}, () => {
  it('stops the VM, moves the sparse disk as data only, verifies, imports and starts it; the source is kept', async () => {
    const disk = makeVm('vm-a', 'running')
    const driver = dirDriver({root})
    const result = await migrateImage(options(), driver, ctx)

    expect(result.status).toBe('ok')
    expect(result.mode).toBe('image')
    const moved = path.join(root, 'vm-b/disk.img')
    expect(sha(moved)).toBe(sha(disk))
    // Sparse on both ends: 256 MiB apparent, about 2 MiB of data read, sent and written.
    expect(statSync(moved).size).toBe(64 * MiB)
    expect(statSync(moved).blocks * 512).toBeLessThan(8 * MiB)
    expect(result.transfer?.wireBytes).toBeLessThan(8 * MiB)
    expect(result.transfer?.allocated).toBeLessThan(8 * MiB)
    expect(driver.calls.filter((c) => c !== 'probe')).toEqual(['stop vm-a', 'import vm-b', 'start vm-b'])
    expect(JSON.parse(readFileSync(path.join(root, 'vm-b/vm.json'), 'utf8')).state).toBe('running')
    expect(JSON.parse(readFileSync(path.join(root, 'vm-a/vm.json'), 'utf8')).state).toBe('stopped')
    expect(sha(disk)).toBe(sha(moved))
    expect(existsSync(path.join(dir, 'staging'))).toBe(false)
    expect(result.steps.map((s) => s.status)).toEqual(result.steps.map((s) => (s.name === 'hooks' ? 'skipped' : 'done')))
  })

  it('runs the hooks inside the guest; a guest without a deployment is a warning, not a failure', async () => {
    makeVm('vm-a', 'stopped')
    const result = await migrateImage(options({skipHooks: false, state: {user: 'nobody'}}), dirDriver({root}), ctx)
    expect(result.status).toBe('ok')
    expect(result.steps.find((s) => s.name === 'hooks')).toMatchObject({status: 'done', detail: expect.stringMatching(/no OpenClaw deployment in the guest/)})
    expect(result.warnings).toEqual([expect.stringMatching(/^no OpenClaw deployment found inside the guest at local .*ocvm hooks run --on local --user USER$/)])
    expect(result.hooks).toBeUndefined()
  })

  it('a moved VM ocvm cannot get into is partial, not failed: the move worked, the hooks could not run, and the user learns how to get in', async () => {
    makeVm('vm-a', 'running')
    const base = dirDriver({root})
    const driver = {...base, guestShell: async () => {
      throw new OcvmError('guest-unreachable', 'no way into vm-b: it has no guest-agent channel and libvirt knows no IP address for it', {hint: 'Add a channel named org.qemu.guest_agent.0.'})
    }}
    const result = await migrateImage(options({skipHooks: false}), driver, ctx)
    expect(result.status).toBe('partial')
    expect(JSON.parse(readFileSync(path.join(root, 'vm-b/vm.json'), 'utf8')).state).toBe('running')
    expect(result.steps.find((s) => s.name === 'guest')).toMatchObject({status: 'done', detail: expect.stringMatching(/^could not get into the guest: no way into vm-b/)})
    expect(result.steps.find((s) => s.name === 'hooks')).toMatchObject({status: 'done', detail: expect.stringMatching(/^not run/)})
    expect(result.nextSteps[0]).toMatch(/^vm-b moved and runs on local, but ocvm could not get into it, so the post-migrate hooks did not run: no way into vm-b.*Add a channel named org\.qemu\.guest_agent\.0\. Then run them inside it: ocvm hooks run/)
  })

  it('--dry-run plans without changing anything', async () => {
    makeVm('vm-a', 'running')
    const driver = dirDriver({root})
    const plan = await migrateImage(options({dryRun: true}), driver, ctx)
    expect(plan.status).toBe('planned')
    expect(plan.steps.map((s) => s.name)).toEqual(['preflight', 'stop', 'export', 'transfer', 'verify', 'import', 'start', 'guest', 'hooks', 'report'])
    expect(plan.modeReason).toMatch(/can boot/)
    expect(driver.calls.filter((c) => c !== 'probe')).toEqual([])
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
  })

  it('the VM plan says how much disk data moves (the apparent size aside): what the transfer then reads as allocated', async () => {
    makeVm('vm-a', 'stopped')
    const plan = await migrateImage(options({dryRun: true}), dirDriver({root}), ctx)
    const data = plan.source.vm.disks.reduce((n, d) => n + d.allocatedBytes, 0)
    expect(renderMigrationPlan(plan)).toContain(`To move: ${formatBytes(data)} of disk data (${data} bytes; 64.0 MiB apparent) in 1 disk file(s).`)
    const result = await migrateImage(options(), dirDriver({root}), ctx)
    // The disks, plus the VM's small definition file beside them.
    expect(result.transfer?.allocated).toBeGreaterThanOrEqual(data)
    expect((result.transfer?.allocated ?? 0) - data).toBeLessThan(64 * 1024)
  })

  it('--driver-opt registry is refused before anything changes when the driver has no registry transport', async () => {
    makeVm('vm-a', 'running')
    const driver = dirDriver({root})
    const error = (await caught(migrateImage(options({driverOptions: {registry: 'registry.test/acme/vm:moved'}}), driver, ctx))) as OcvmError
    expect(error).toMatchObject({code: 'usage', message: 'the dirvm driver cannot move a VM through a registry'})
    expect(driver.calls.filter((c) => c !== 'probe')).toEqual([])
  })

  it('never overwrites a VM of the same name on the target', async () => {
    makeVm('vm-a', 'stopped')
    makeVm('vm-b', 'stopped')
    const error = await caught(migrateImage(options(), dirDriver({root}), ctx))
    expect(error).toBeInstanceOf(OcvmError)
    expect((error as OcvmError).code).toBe('target-exists')
  })

  it('--resume after a crash in the transfer sends nothing again that had arrived intact', async () => {
    const disk = makeVm('vm-a', 'stopped')
    const driver = dirDriver({root, failImports: 1})
    const error = (await caught(migrateImage(options(), driver, ctx))) as OcvmError
    expect(error.message).toMatch(/injected/)
    expect(error.hint).toMatch(/--resume/)
    const runId = error.details.runId as string
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
    // As if ocvm had been killed after the bytes arrived but before the transfer step was recorded.
    setPending(runId, ['transfer', 'verify'])

    const resumed = await migrateImage({...options(), resume: runId}, driver, ctx)
    expect(resumed.status).toBe('ok')
    expect(resumed.transfer?.resumedFiles).toBe(2)
    expect(resumed.transfer?.wireBytes).toBe(0)
    expect(sha(path.join(root, 'vm-b/disk.img'))).toBe(sha(disk))
  })

  it('refuses to import a damaged staged file (verify before import)', async () => {
    makeVm('vm-a', 'stopped')
    const driver = dirDriver({root, failImports: 1})
    const runId = ((await caught(migrateImage(options(), driver, ctx))) as OcvmError).details.runId as string
    // Damage the staged disk, then mark the run as failed before verify: resume must re-verify.
    const staged = path.join(dir, 'staging/disks/vda/disk.img')
    execFileSync('dd', ['if=/dev/urandom', `of=${staged}`, 'bs=4k', 'count=1', 'seek=10', 'conv=notrunc', 'status=none'])
    setPending(runId, ['verify'])
    const error = (await caught(migrateImage({...options(), resume: runId}, driver, ctx))) as OcvmError
    expect(error.code).toBe('verify-failed')
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
  })

  it('after a verify failure, --resume sends the damaged disk again (only it) and completes', async () => {
    const disk = makeVm('vm-a', 'stopped')
    const driver = dirDriver({root, failImports: 1})
    const runId = ((await caught(migrateImage(options(), driver, ctx))) as OcvmError).details.runId as string
    const staged = path.join(dir, 'staging/disks/vda/disk.img')
    execFileSync('dd', ['if=/dev/urandom', `of=${staged}`, 'bs=4k', 'count=1', 'seek=10', 'conv=notrunc', 'status=none'])
    setPending(runId, ['verify'])
    expect(((await caught(migrateImage({...options(), resume: runId}, driver, ctx))) as OcvmError).code).toBe('verify-failed')
    const resumed = await migrateImage({...options(), resume: runId}, driver, ctx)
    expect(resumed.status).toBe('ok')
    // vm.json was intact in staging; the disk went again.
    expect(resumed.transfer?.resumedFiles).toBe(1)
    expect(resumed.transfer?.wireBytes).toBeGreaterThan(1 * MiB)
    expect(sha(path.join(root, 'vm-b/disk.img'))).toBe(sha(disk))
  })

  it('a staged disk that keeps zeros where the source has holes verifies (byte-for-byte fallback)', async () => {
    const disk = makeVm('vm-a', 'stopped')
    const driver = dirDriver({root, failImports: 1})
    const runId = ((await caught(migrateImage(options(), driver, ctx))) as OcvmError).details.runId as string
    // Same bytes, other holes: the archive digest differs, the contents do not.
    const staged = path.join(dir, 'staging/disks/vda/disk.img')
    execFileSync('cp', ['--sparse=never', staged, `${staged}.dense`])
    execFileSync('mv', [`${staged}.dense`, staged])
    expect(statSync(staged).blocks * 512).toBeGreaterThan(32 * MiB)
    setPending(runId, ['verify'])
    const resumed = await migrateImage({...options(), resume: runId}, driver, ctx)
    expect(resumed.status).toBe('ok')
    expect(sha(path.join(root, 'vm-b/disk.img'))).toBe(sha(disk))
  })

  it('rollback removes the imported VM and starts the source again', async () => {
    makeVm('vm-a', 'running')
    const driver = dirDriver({root})
    const done = await migrateImage(options(), driver, ctx)
    const back = await rollbackImage(done.runId, driver, ctx)
    expect(back.status).toBe('rolled-back')
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
    expect(JSON.parse(readFileSync(path.join(root, 'vm-a/vm.json'), 'utf8')).state).toBe('running')
  })
})

describe('migrateImage (state mode)', {timeout: 60_000}, () => {
  it('a driver without export plans a state move into a fresh VM, and says why', async () => {
    makeVm('vm-a', 'running')
    const driver = dirDriver({root, canExport: false, provision: true})
    const plan = await migrateImage(options({dryRun: true}), driver, ctx)
    expect(plan.mode).toBe('state')
    expect(plan.modeReason).toMatch(/dirvm has no image export: moving the OpenClaw state/)
    expect(plan.steps.map((s) => s.name)).toEqual(['preflight', 'provision', 'state', 'guest', 'hooks', 'report'])
  })

  it('a target without the hypervisor is a bare host: the plan moves the state out of the guest onto it', async () => {
    makeVm('vm-a', 'running')
    const plan = await migrateImage(options({dryRun: true}), dirDriver({root, onlyFirstHost: true}), ctx)
    expect(plan.mode).toBe('state')
    expect(plan.target.kind).toBe('host')
    expect(plan.modeReason).toMatch(/dirvm is not on local, so it is a bare host: moving the OpenClaw state out of the guest onto it/)
    expect(plan.steps.map((s) => s.name)).toEqual(['preflight', 'state', 'hooks', 'report'])
    const error = (await caught(migrateImage(options({dryRun: true, mode: 'image'}), dirDriver({root, onlyFirstHost: true}), ctx))) as OcvmError
    expect(error.message).toMatch(/cannot move the image: the dirvm driver cannot work on local \(dirvm is not installed\)/)
  })

  it('--mode image is refused with the reason when the driver cannot export', async () => {
    makeVm('vm-a', 'running')
    const error = (await caught(migrateImage(options({mode: 'image'}), dirDriver({root, canExport: false, provision: true}), ctx))) as OcvmError
    expect(error.message).toMatch(/--mode image is impossible: dirvm has no image export/)
    expect(error.exitCode).toBe(2)
  })
})
