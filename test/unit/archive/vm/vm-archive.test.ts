// export/import of a whole VM (`ocvm export|import --driver <hypervisor>`) on this machine, with the
// directory-backed test driver: real tar --sparse, zstd and sha256sum write and read real exports.
// (The libvirt driver itself runs this against real libvirt in test/integration/libvirt-export-import.test.ts.)
import {execFileSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {LOCAL} from '../../../../src/hosts/host-spec.js'

import type {Context} from '../../../../src/context.js'
import {OcvmError, UsageError} from '../../../../src/errors.js'
import {createRunner} from '../../../../src/exec/runner.js'
import {ShellPool} from '../../../../src/hosts/shell.js'
import {silentReporter} from '../../../../src/output/reporter.js'
import {exportVmArchive, type VmExportOptions} from '../../../../src/archive/vm/export-vm.js'
import {importVmArchive, type VmImportOptions} from '../../../../src/archive/vm/import-vm.js'
import {CANONICAL_TAR} from '../../../../src/transfer/stream.js'
import {VM_MANIFEST} from '../../../../src/archive/vm/manifest.js'
import {caught} from '../../../helpers/caught.js'
import {dirDriver, makeDirVm} from '../../migrate/image/dir-driver.js'

let dir: string
let root: string
let ctx: Context
const MiB = 1024 * 1024
const sha = (file: string) => execFileSync('sha256sum', [file]).toString().split(' ')[0]
// A disk's digest in a manifest: SHA-256 of its canonical sparse GNU tar (data and hole map only).
const tarSparseSha = (file: string) => execFileSync('sh', ['-c', `cd "$(dirname "$1")" && tar ${CANONICAL_TAR} --sparse -cf - "$(basename "$1")" | sha256sum`, 'sh', file]).toString().split(' ')[0]

const makeVm = (name: string, state: 'running' | 'stopped') => makeDirVm(root, name, state, [20])
const exportOptions = (over: Partial<VmExportOptions> = {}): VmExportOptions => ({vm: 'vm-a', from: LOCAL, out: path.join(dir, 'out'), forceStop: false, stopTimeoutSec: 10, restart: false, dryRun: false, ...over})
const importOptions = (archive: string, over: Partial<VmImportOptions> = {}): VmImportOptions => ({archive, to: LOCAL, targetName: 'vm-b', driverOptions: {}, start: false, dryRun: false, stagingDir: path.join(dir, 'staging'), ...over})
const vmState = (name: string) => JSON.parse(readFileSync(path.join(root, name, 'vm.json'), 'utf8')).state

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocvm-vmarchive-'))
  root = path.join(dir, 'vms')
  ctx = {runner: createRunner(), shells: new ShellPool({runner: createRunner(), ssh: {}}), reporter: silentReporter}
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('VM export and import', {timeout: 60_000}, () => {
  it('exports a running VM to a dir (stopped first, sparse, SHA-256 in the manifest) and imports it under a new name', async () => {
    const disk = makeVm('vm-a', 'running')
    const diskSha = sha(disk)
    const driver = dirDriver({root})
    const exported = await exportVmArchive(exportOptions(), driver, ctx)
    expect(exported).toMatchObject({status: 'ok', format: 'dir', wasRunning: true, restarted: false})
    expect(vmState('vm-a')).toBe('stopped')
    const out = path.join(dir, 'out')
    expect(readdirSync(out).sort()).toEqual(['disks', 'meta', VM_MANIFEST])
    const manifest = JSON.parse(readFileSync(path.join(out, VM_MANIFEST), 'utf8'))
    expect(manifest).toMatchObject({format: 'ocvm-vm-export', version: 1, driver: 'dirvm', source: {host: 'local', vm: 'vm-a', wasRunning: true}})
    expect(manifest.files.find((f: {relPath: string}) => f.relPath === 'disks/vda/disk.img')).toMatchObject({digest: 'tar-sparse', sha256: tarSparseSha(disk)})
    expect(statSync(path.join(out, 'disks/vda/disk.img')).blocks * 512).toBeLessThan(4 * MiB)
    expect(statSync(path.join(out, VM_MANIFEST)).mode & 0o777).toBe(0o600)

    const imported = await importVmArchive(importOptions(out, {start: true}), driver, ctx)
    expect(imported).toMatchObject({status: 'ok', name: 'vm-b', started: true, imported: {name: 'vm-b'}})
    expect(sha(path.join(root, 'vm-b/disk.img'))).toBe(sha(disk))
    expect(vmState('vm-b')).toBe('running')
    expect(existsSync(path.join(dir, 'staging'))).toBe(false)
    // The source was only read.
    expect(sha(disk)).toBe(diskSha)
  })

  it('writes one sparse .tar with --out FILE.tar, --restart starts the VM again, and the tar imports', async () => {
    const disk = makeVm('vm-a', 'running')
    const driver = dirDriver({root})
    const file = path.join(dir, 'vm-a.tar')
    const exported = await exportVmArchive(exportOptions({out: file, restart: true}), driver, ctx)
    expect(exported).toMatchObject({status: 'ok', format: 'tar', restarted: true})
    expect(vmState('vm-a')).toBe('running')
    expect(statSync(file).blocks * 512).toBeLessThan(4 * MiB)
    expect(readdirSync(dir).filter((n) => n.includes('ocvm-partial'))).toEqual([])
    await importVmArchive(importOptions(file), driver, ctx)
    expect(sha(path.join(root, 'vm-b/disk.img'))).toBe(sha(disk))
    expect(statSync(path.join(root, 'vm-b/disk.img')).blocks * 512).toBeLessThan(4 * MiB)
  })

  it('a dry run changes nothing: the VM keeps running and nothing is written', async () => {
    makeVm('vm-a', 'running')
    const result = await exportVmArchive(exportOptions({dryRun: true}), dirDriver({root}), ctx)
    expect(result).toMatchObject({status: 'planned', dryRun: true})
    expect(vmState('vm-a')).toBe('running')
    expect(existsSync(path.join(dir, 'out'))).toBe(false)
  })

  it('never writes over an existing --out', async () => {
    makeVm('vm-a', 'stopped')
    writeFileSync(path.join(dir, 'vm.tar'), 'x')
    expect(await caught(exportVmArchive(exportOptions({out: path.join(dir, 'vm.tar')}), dirDriver({root}), ctx))).toBeInstanceOf(UsageError)
    expect(readFileSync(path.join(dir, 'vm.tar'), 'utf8')).toBe('x')
  })

  it('a corrupted byte in the export is found before anything reaches the target', async () => {
    makeVm('vm-a', 'stopped')
    const driver = dirDriver({root})
    await exportVmArchive(exportOptions(), driver, ctx)
    const copy = path.join(dir, 'out/disks/vda/disk.img')
    execFileSync('dd', ['if=/dev/zero', `of=${copy}`, 'bs=1', 'count=1', `seek=${20 * MiB + 7}`, 'conv=notrunc', 'status=none'])
    const error = await caught(importVmArchive(importOptions(path.join(dir, 'out')), driver, ctx))
    expect(error).toMatchObject({code: 'archive-corrupt'})
    expect((error as OcvmError).message).toContain('disks/vda/disk.img')
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
    expect(existsSync(path.join(dir, 'staging'))).toBe(false)
    expect(driver.calls.filter((c) => c.startsWith('import') && !c.endsWith('(dry run)'))).toEqual([])
  })

  it('a corrupted .tar is caught on the target before the VM is defined, and staging is removed', async () => {
    makeVm('vm-a', 'stopped')
    const driver = dirDriver({root})
    const file = path.join(dir, 'vm-a.tar')
    await exportVmArchive(exportOptions({out: file}), driver, ctx)
    // Flip one data byte inside the tar (the disk's data region, found by its random content).
    const bytes = readFileSync(file)
    const at = bytes.length - 10 * 1024 - 512 * 1024
    bytes[at] = bytes[at]! ^ 0xff
    writeFileSync(file, bytes)
    const error = await caught(importVmArchive(importOptions(file), driver, ctx))
    expect(error).toMatchObject({code: 'verify-failed'})
    expect(existsSync(path.join(root, 'vm-b'))).toBe(false)
    expect(existsSync(path.join(dir, 'staging'))).toBe(false)
  })

  it('refuses a name that exists on the target, a manifest that points outside, and another driver\'s export', async () => {
    makeVm('vm-a', 'stopped')
    makeVm('vm-b', 'stopped')
    const driver = dirDriver({root})
    await exportVmArchive(exportOptions(), driver, ctx)
    const out = path.join(dir, 'out')
    expect(await caught(importVmArchive(importOptions(out), driver, ctx))).toMatchObject({code: 'target-exists'})

    const manifestFile = path.join(out, VM_MANIFEST)
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'))
    writeFileSync(manifestFile, JSON.stringify({...manifest, driver: 'libvirt'}))
    expect(await caught(importVmArchive(importOptions(out, {targetName: 'vm-c'}), driver, ctx))).toBeInstanceOf(UsageError)
    manifest.files[0].relPath = '../../etc/passwd'
    manifest.exportSet.files[0].relPath = '../../etc/passwd'
    writeFileSync(manifestFile, JSON.stringify(manifest))
    expect(await caught(importVmArchive(importOptions(out, {targetName: 'vm-c'}), driver, ctx))).toMatchObject({code: 'archive-invalid'})
    expect(existsSync(path.join(root, 'vm-c'))).toBe(false)
  })
})
