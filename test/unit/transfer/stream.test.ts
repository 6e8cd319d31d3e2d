import {execFileSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'
import {fileFacts, verifyFiles} from '../../../src/transfer/files.js'
import {pathList} from '../../../src/transfer/record-files.js'
import {compareTrees, listRecords, type TreeFiles} from '../../../src/transfer/tree-diff.js'
import {fetchTree} from '../../../src/transfer/tree-listing.js'
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
  // Enough small files for several hashing batches next to the big one.
  await mkdir(path.join(src, 'many'))
  for (let i = 0; i < 5; i++) await writeFile(path.join(src, `many/f0${i}`), `file ${i}`)
})
afterAll(async () => rm(dir, {recursive: true, force: true}))

async function* all<T>(items: Iterable<T>): AsyncGenerator<T> {
  yield* items
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** Lists and hashes a tree into files (the manifest of a root, as copy-roots keeps it). */
async function manifestOf(root: string, name: string, exclude: string[] = [], mtime = true): Promise<TreeFiles | undefined> {
  const files = {listing: path.join(dir, `${name}.list`), hashes: path.join(dir, `${name}.sha256`), mtime}
  const listed = await fetchTree(shell, root, files.listing, {kind: mtime ? 'list-mtime' : 'list', exclude})
  if (!listed) return undefined
  await fetchTree(shell, root, files.hashes, {kind: 'hash', exclude})
  return files
}

const verdicts = async (a: TreeFiles, b: TreeFiles) => (await collect(compareTrees(a, b))).map((v) => ({path: v.path.toString(), verdict: v.verdict, ...(v.modeOnly ? {modeOnly: true} : {})})).filter((v) => v.verdict !== 'same')

describe('fetchTree', () => {
  it('lists every entry with type, mode, size and mtime, and hashes every file, honouring excludes', async () => {
    const files = await manifestOf(src, 'm1', ['./memory'])
    if (!files) throw new Error('no manifest')
    const listing = await collect(listRecords(files))
    const byPath = new Map(listing.map((r) => [r.path.toString(), r]))
    expect(byPath.get('credentials/whatsapp/default/creds.json')).toMatchObject({type: 'f', mode: '600', size: 6})
    expect(byPath.get('credentials/whatsapp/default/creds.json')?.mtime).toMatch(/^\d+(\.\d+)?$/)
    expect(byPath.get('credentials')).toMatchObject({type: 'd', mode: '700', size: 0})
    expect(byPath.get('link')).toMatchObject({type: 'l', mode: '0', size: 'openclaw.json'.length})
    expect(byPath.get('link')?.link.toString()).toBe('openclaw.json')
    expect(byPath.has('name with spaces\tand tab')).toBe(true)
    expect(byPath.has('memory')).toBe(false)
    expect(byPath.has('memory/main.sqlite')).toBe(false)
    // Sorted as `LC_ALL=C sort -z` sorts the records.
    const raw = listing.map((r) => Buffer.concat([r.identity, Buffer.from(`\t${r.mtime}`)]))
    expect(raw).toEqual([...raw].sort(Buffer.compare))

    const hashes = (await readFile(files.hashes)).toString().split('\0').filter(Boolean)
    const sha = (file: string) => createHash('sha256').update(readFileSync(path.join(src, file))).digest('hex')
    expect(hashes).toEqual(['big.bin', 'credentials/whatsapp/default/creds.json', 'many/f00', 'many/f01', 'many/f02', 'many/f03', 'many/f04', 'name with spaces\tand tab', 'openclaw.json'].map((f) => `${f}\t${sha(f)}`))
  })

  it('hashes big files to their SHA-256 whatever their names, through openssl or, when it fails, sha256sum', async () => {
    const root = path.join(dir, 'big-names')
    await mkdir(root)
    const names = ['big\nwith newline *and star.bin', 'big2.bin', 'small.txt']
    await writeFile(path.join(root, names[0]!), randomBytes(2 * 1024 * 1024))
    await writeFile(path.join(root, names[1]!), randomBytes(1536 * 1024))
    await writeFile(path.join(root, names[2]!), 'small')
    const sha = (file: string) => createHash('sha256').update(readFileSync(path.join(root, file))).digest('hex')
    const expected = [...names].sort().map((f) => `${f}\t${sha(f)}`)
    const hashed = async (name: string) => {
      expect(await fetchTree(shell, root, path.join(dir, name), {kind: 'hash'})).toBe(true)
      return (await readFile(path.join(dir, name))).toString().split('\0').filter(Boolean)
    }
    expect(await hashed('big-names.sha256')).toEqual(expected)

    // FAKE openssl first on PATH, answering garbage: the script must fall back to sha256sum.
    const fakeBin = path.join(dir, 'fake-bin')
    await mkdir(fakeBin)
    await writeFile(path.join(fakeBin, 'openssl'), '#!/bin/sh\n# FAKE openssl: a broken build that prints no hash\necho "not-a-hash *stdin"\n', {mode: 0o755})
    const savedPath = process.env.PATH
    process.env.PATH = `${fakeBin}:${savedPath}`
    try {
      expect(await hashed('big-names-fallback.sha256')).toEqual(expected)
    } finally {
      process.env.PATH = savedPath
    }
  })

  it('returns false for a missing root', async () => {
    expect(await fetchTree(shell, path.join(dir, 'nope'), path.join(dir, 'nope.list'), {kind: 'list'})).toBe(false)
    expect(await fetchTree(shell, path.join(dir, 'nope'), path.join(dir, 'nope.sha256'), {kind: 'hash'})).toBe(false)
  })
})

describe('streamTree', () => {
  it.each([true, false])('moves a tree byte for byte (compress=%s) and reports progress', async (compress) => {
    const manifest = await manifestOf(src, `src-${compress}`, ['./memory'])
    if (!manifest) throw new Error('no manifest')
    const dest = path.join(dir, `dest-${compress}`)
    const seen: number[] = []
    const result = await streamTree({
      source: shell, target: shell, sourceRoot: src, targetDir: dest, compress,
      paths: pathList(listRecords(manifest), (r) => r.path),
      onProgress: (bytes) => seen.push(bytes),
    })
    expect(result.wireBytes).toBeGreaterThan(0)
    expect(Math.max(...seen)).toBeGreaterThan(3 * 1024 * 1024 * 0.9)
    const arrived = await manifestOf(dest, `dest-${compress}`, [], false)
    if (!arrived) throw new Error('nothing arrived')
    expect(await verdicts(manifest, arrived)).toEqual([])
    expect((await readFile(path.join(dest, 'big.bin'))).equals(await readFile(path.join(src, 'big.bin')))).toBe(true)
  })

  it('the comparison finds what is missing, corrupted, unexpected or only has another mode', async () => {
    const manifest = await manifestOf(src, 'src-resume')
    if (!manifest) throw new Error('no manifest')
    const dest = path.join(dir, 'dest-resume')
    const firstHalf = (await collect(listRecords(manifest))).filter((r) => r.path.toString() < 'credentials/whatsapp')
    await streamTree({source: shell, target: shell, sourceRoot: src, targetDir: dest, compress: true, paths: pathList(all(firstHalf), (r) => r.path)})
    const partial = await manifestOf(dest, 'partial', [], false)
    if (!partial) throw new Error('nothing arrived')
    const missing = (await collect(listRecords(manifest))).filter((r) => !firstHalf.some((f) => f.path.equals(r.path))).map((r) => ({path: r.path.toString(), verdict: 'missing'}))
    expect(await verdicts(manifest, partial)).toEqual(missing)

    await writeFile(path.join(dest, 'big.bin'), 'corrupted')
    await writeFile(path.join(dest, 'stray'), 'not from the source')
    await chmod(path.join(dest, 'credentials'), 0o750)
    const damaged = await manifestOf(dest, 'damaged', [], false)
    if (!damaged) throw new Error('nothing arrived')
    const found = await verdicts(manifest, damaged)
    expect(found.filter((v) => v.verdict !== 'missing')).toEqual([
      {path: 'big.bin', verdict: 'differs'},
      {path: 'credentials', verdict: 'differs', modeOnly: true},
      {path: 'stray', verdict: 'extra'},
    ])
  })

  it('the quick comparison (size and mtime) trusts what tar wrote and nothing written since', async () => {
    const manifest = await manifestOf(src, 'src-quick')
    if (!manifest) throw new Error('no manifest')
    const dest = path.join(dir, 'dest-quick')
    await streamTree({source: shell, target: shell, sourceRoot: src, targetDir: dest, compress: true, paths: pathList(listRecords(manifest), (r) => r.path)})
    const quick = async (name: string) => {
      const files = {listing: path.join(dir, `${name}.list`), hashes: '', mtime: true}
      await fetchTree(shell, dest, files.listing, {kind: 'list-mtime'})
      return (await collect(compareTrees(manifest, files, {quick: true}))).filter((v) => v.verdict !== 'same' && v.expected?.type !== 'd').map((v) => ({path: v.path.toString(), verdict: v.verdict, ...(v.modeOnly ? {modeOnly: true} : {})}))
    }
    expect(await quick('quick-1')).toEqual([])

    // Same size, rewritten in place (as the path rewrite does): its mtime is no longer tar's.
    await writeFile(path.join(dest, 'openclaw.json'), '{ gateway: { mode: "LOCAL" } }')
    await chmod(path.join(dest, 'many/f00'), 0o640)
    expect(await quick('quick-2')).toEqual([{path: 'many/f00', verdict: 'differs', modeOnly: true}, {path: 'openclaw.json', verdict: 'differs'}])
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

describe('streamTree adaptive compression (disk images)', () => {
  it.each([['random', false], ['text', true]] as const)('zstd only when a sample compresses (%s data): the stream says which, the digest and the copy are the same either way', async (kind, shrinks) => {
    const disks = path.join(dir, `adaptive-${kind}`)
    await mkdir(disks, {recursive: true})
    const disk = path.join(disks, 'disk.img')
    execFileSync('truncate', ['-s', '64M', disk])
    const data = path.join(dir, `adaptive-${kind}.bin`)
    await writeFile(data, kind === 'random' ? randomBytes(20 * 1024 * 1024) : Buffer.from('openclaw gateway log line\n'.repeat(120_000)))
    execFileSync('dd', [`if=${data}`, `of=${disk}`, 'bs=1M', 'seek=30', 'conv=notrunc', 'status=none'])
    const dest = path.join(dir, `adaptive-dest-${kind}`)
    const result = await streamTree({source: shell, target: shell, sourceRoot: disks, targetDir: dest, compress: true, adaptive: true, sparse: true, digest: true, paths: ['disk.img']})
    expect(result.compressed).toBe(shrinks)
    if (shrinks) expect(result.wireBytes).toBeLessThan(1024 * 1024)
    else expect(result.wireBytes).toBeGreaterThan(20 * 1024 * 1024)
    expect(result.digest).toBe((await fileFacts(shell, [disk], 'tar-sparse')).get(disk)?.sha256)
    expect((await readFile(path.join(dest, 'disk.img'))).equals(await readFile(disk))).toBe(true)
  })
})

describe('verifyFiles of a disk whose holes differ', () => {
  it('a copy holding zeros where the source has holes fails the tar-sparse digest, passes byte for byte against its origin, and is then described by its sha256', async () => {
    const src = path.join(dir, 'holes-src')
    const staging = path.join(dir, 'holes-staging')
    await mkdir(src, {recursive: true})
    await mkdir(path.join(staging, 'disks'), {recursive: true})
    const disk = path.join(src, 'disk.img')
    execFileSync('truncate', ['-s', '16M', disk])
    execFileSync('dd', ['if=/dev/urandom', `of=${disk}`, 'bs=1M', 'count=1', 'seek=4', 'conv=notrunc', 'status=none'])
    // The same bytes, every zero written out: another hole map, another canonical archive.
    execFileSync('cp', ['--sparse=never', disk, path.join(staging, 'disks/disk.img')])
    const measured = (await fileFacts(shell, [disk], 'tar-sparse')).get(disk)
    if (!measured?.sha256) throw new Error('no digest')
    const fact = {relPath: 'disks/disk.img', bytes: measured.bytes, allocated: measured.allocated, sha256: measured.sha256, digest: 'tar-sparse' as const}
    await expect(verifyFiles({target: shell, stagingDir: staging, facts: [fact]})).rejects.toMatchObject({code: 'verify-failed'})
    const held = await verifyFiles({target: shell, stagingDir: staging, facts: [fact], origin: {shell, files: [{source: disk, relPath: 'disks/disk.img', sparse: true}]}})
    const bytes = createHash('sha256').update(await readFile(disk)).digest('hex')
    expect(held).toEqual([{...fact, sha256: bytes, digest: 'sha256'}])
    // A real difference still fails, origin or not.
    const copy = await readFile(path.join(staging, 'disks/disk.img'))
    copy[4 * 1024 * 1024 + 3] = copy[4 * 1024 * 1024 + 3]! ^ 0xff
    await writeFile(path.join(staging, 'disks/disk.img'), copy)
    await expect(verifyFiles({target: shell, stagingDir: staging, facts: [fact], origin: {shell, files: [{source: disk, relPath: 'disks/disk.img', sparse: true}]}})).rejects.toMatchObject({code: 'verify-failed'})
  })
})
