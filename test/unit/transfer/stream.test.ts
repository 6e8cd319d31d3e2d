import {execFileSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'
import {buildManifest, diffManifests, isClean} from '../../../src/transfer/manifest.js'
import {fileFacts} from '../../../src/transfer/files.js'
import {streamTree} from '../../../src/transfer/stream.js'

// Real find, sha256sum, tar and zstd on this machine, through a local Shell (the same scripts run
// over ssh in the integration tests).
const shell = createShell(LOCAL, createRunner(), {controlDir: tmpdir()})
let dir: string
let src: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ocvm-stream-'))
  src = path.join(dir, 'src')
  await mkdir(path.join(src, 'credentials/whatsapp/default'), {recursive: true})
  await mkdir(path.join(src, 'empty-dir'), {recursive: true})
  await mkdir(path.join(src, 'memory'), {recursive: true})
  await writeFile(path.join(src, 'openclaw.json'), '{ gateway: { mode: "local" } }')
  await writeFile(path.join(src, 'credentials/whatsapp/default/creds.json'), 'secret', {mode: 0o600})
  await writeFile(path.join(src, 'big.bin'), randomBytes(3 * 1024 * 1024))
  await writeFile(path.join(src, 'name with spaces\tand tab'), 'x')
  await writeFile(path.join(src, 'memory/main.sqlite'), 'index')
  await symlink('openclaw.json', path.join(src, 'link'))
  await chmod(path.join(src, 'credentials'), 0o700)
})
afterAll(async () => rm(dir, {recursive: true, force: true}))

describe('buildManifest', () => {
  it('lists every entry with type, mode, size and sha256, honouring excludes', async () => {
    const manifest = await buildManifest(shell, src, ['./memory'])
    expect(manifest).toBeDefined()
    const byPath = new Map(manifest?.entries.map((e) => [e.path, e]))
    const secret = createHash('sha256').update('secret').digest('hex')
    expect(byPath.get('credentials/whatsapp/default/creds.json')).toEqual({path: 'credentials/whatsapp/default/creds.json', type: 'file', mode: 0o600, size: 6, sha256: secret})
    expect(byPath.get('credentials')).toMatchObject({type: 'dir', mode: 0o700})
    expect(byPath.get('link')).toMatchObject({type: 'symlink', linkTarget: 'openclaw.json'})
    expect(byPath.get('name with spaces\tand tab')?.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(byPath.has('memory')).toBe(false)
    expect(byPath.has('memory/main.sqlite')).toBe(false)
    expect(manifest?.files).toBe(4)
  })

  it('returns undefined for a missing root', async () => {
    expect(await buildManifest(shell, path.join(dir, 'nope'))).toBeUndefined()
  })
})

describe('streamTree', () => {
  it.each([true, false])('moves a tree byte for byte (compress=%s) and reports progress', async (compress) => {
    const manifest = await buildManifest(shell, src, ['./memory'])
    if (!manifest) throw new Error('no manifest')
    const dest = path.join(dir, `dest-${compress}`)
    const seen: number[] = []
    const result = await streamTree({
      source: shell, target: shell, sourceRoot: src, targetDir: dest, compress,
      paths: manifest.entries.map((e) => e.path),
      onProgress: (p) => seen.push(p.bytes),
    })
    expect(result.wireBytes).toBeGreaterThan(0)
    expect(Math.max(...seen)).toBeGreaterThan(3 * 1024 * 1024 * 0.9)
    const arrived = await buildManifest(shell, dest)
    if (!arrived) throw new Error('nothing arrived')
    expect(isClean(diffManifests(manifest, arrived))).toBe(true)
    expect((await readFile(path.join(dest, 'big.bin'))).equals(await readFile(path.join(src, 'big.bin')))).toBe(true)
  })

  it('sends only what is missing on a second pass (resume), and the diff sees corruption', async () => {
    const manifest = await buildManifest(shell, src)
    if (!manifest) throw new Error('no manifest')
    const dest = path.join(dir, 'dest-resume')
    const firstHalf = manifest.entries.filter((e) => e.path < 'credentials/whatsapp')
    await streamTree({source: shell, target: shell, sourceRoot: src, targetDir: dest, compress: true, paths: firstHalf.map((e) => e.path)})
    const partial = await buildManifest(shell, dest)
    if (!partial) throw new Error('nothing arrived')
    const diff = diffManifests(manifest, partial)
    expect(diff.missing.map((e) => e.path)).toEqual(manifest.entries.filter((e) => !firstHalf.includes(e)).map((e) => e.path))

    await writeFile(path.join(dest, 'big.bin'), 'corrupted')
    const corrupted = diffManifests(manifest, (await buildManifest(shell, dest))!)
    expect(corrupted.mismatched.map((m) => m.expected.path)).toEqual(['big.bin'])

    const todo = [...corrupted.missing, ...corrupted.mismatched.map((m) => m.expected)].map((e) => e.path)
    await streamTree({source: shell, target: shell, sourceRoot: src, targetDir: dest, compress: true, paths: todo})
    expect(isClean(diffManifests(manifest, (await buildManifest(shell, dest))!))).toBe(true)
  })

  it('fails clearly when the source root is gone', async () => {
    await expect(streamTree({source: shell, target: shell, sourceRoot: path.join(dir, 'gone'), targetDir: path.join(dir, 'x'), compress: false, paths: ['a']})).rejects.toThrow(/packing on local failed/)
  })
})

describe('streamTree with digest (disk images)', () => {
  it.each([true, false])('hashes the canonical archive while sending (compress=%s): the digest is the file\'s tar-sparse checksum on both ends', async (compress) => {
    // 64 MiB apparent, 2 MiB of data: the digest covers the data and the holes' map, not 64 MiB.
    const disks = path.join(dir, `disks-${compress}`)
    await mkdir(disks, {recursive: true})
    const disk = path.join(disks, 'disk.img')
    execFileSync('truncate', ['-s', '64M', disk])
    execFileSync('dd', ['if=/dev/urandom', `of=${disk}`, 'bs=1M', 'count=2', 'seek=20', 'conv=notrunc', 'status=none'])
    const dest = path.join(dir, `disk-dest-${compress}`)
    const result = await streamTree({source: shell, target: shell, sourceRoot: disks, targetDir: dest, compress, sparse: true, digest: true, paths: ['disk.img']})
    const onSource = (await fileFacts(shell, [disk], 'tar-sparse')).get(disk)
    const staged = (await fileFacts(shell, [path.join(dest, 'disk.img')], 'tar-sparse')).get(path.join(dest, 'disk.img'))
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(result.digest).toBe(onSource?.sha256)
    expect(staged?.sha256).toBe(onSource?.sha256)
    expect(staged?.allocated).toBeLessThan(4 * 1024 * 1024)
    expect((await readFile(path.join(dest, 'disk.img'))).equals(await readFile(disk))).toBe(true)
    // One changed byte changes it.
    execFileSync('dd', ['if=/dev/zero', `of=${path.join(dest, 'disk.img')}`, 'bs=1', 'count=1', `seek=${20 * 1024 * 1024 + 7}`, 'conv=notrunc', 'status=none'])
    expect((await fileFacts(shell, [path.join(dest, 'disk.img')], 'tar-sparse')).get(path.join(dest, 'disk.img'))?.sha256).not.toBe(onSource?.sha256)
  })
})
