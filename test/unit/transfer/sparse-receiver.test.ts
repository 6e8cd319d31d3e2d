// The Python receiver of disk streams against GNU tar itself: the same archives (made by the real
// GNU tar with the canonical flags) unpacked both ways must give the same files, holes included.
import {execFileSync, spawnSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'
import {fileFacts} from '../../../src/transfer/files.js'
import {FIND_PYTHON} from '../../../src/transfer/python.js'
import {SPARSE_RECEIVER_PY} from '../../../src/transfer/sparse-receiver.js'
import {CANONICAL_TAR, streamTree} from '../../../src/transfer/stream.js'

const dir = mkdtempSync(path.join(tmpdir(), 'ocvm-sparse-rx-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const shell = createShell(LOCAL, createRunner(), {controlDir: tmpdir()})
const MiB = 1024 * 1024
const python = execFileSync('sh', ['-c', `${FIND_PYTHON}\nfind_python`]).toString()

function disk(name: string, size: number, data: Array<[offset: number, bytes: number]>): string {
  const file = path.join(dir, 'src', name)
  execFileSync('mkdir', ['-p', path.dirname(file)])
  execFileSync('truncate', ['-s', String(size), file])
  const fd = openSync(file, 'r+')
  for (const [offset, bytes] of data) writeSync(fd, randomBytes(bytes), 0, bytes, offset)
  closeSync(fd)
  return file
}

/** GNU tar's canonical sparse archive of files under src/, unpacked into `into` by the Python receiver. */
function receive(names: string[], into: string): {status: number | null; stderr: string} {
  execFileSync('mkdir', ['-p', into])
  const archive = execFileSync('sh', ['-c', `cd "$1" && shift && tar ${CANONICAL_TAR} --sparse -cf - -- "$@"`, 'sh', path.join(dir, 'src'), ...names], {maxBuffer: 256 * MiB})
  const r = spawnSync(python, ['-c', SPARSE_RECEIVER_PY], {cwd: into, input: archive})
  return {status: r.status, stderr: r.stderr.toString()}
}

const allocated = (file: string) => statSync(file).blocks * 512

describe('the Python receiver of disk streams', () => {
  it('finds a system Python 3 with tarfile on this machine', () => {
    expect(python).toMatch(/^\/.*python/)
  })

  it.each([
    ['holes between data', 64 * MiB, [[1 * MiB, 3 * MiB], [40 * MiB, 2 * MiB]]],
    ['data at both ends, a size that is not a multiple of 512', 16 * MiB + 100, [[0, 8192], [16 * MiB - 4000, 4100]]],
    ['a hole at the start and at the end', 32 * MiB, [[8 * MiB, 12345]]],
    ['no data at all', 8 * MiB, []],
    ['dense', 3 * MiB + 7, [[0, 3 * MiB + 7]]],
  ] as Array<[string, number, Array<[number, number]>]>)('%s: the same bytes, holes, mode, mtime and tar-sparse digest as GNU tar unpacks', async (label, size, data) => {
    const name = `${label.replaceAll(/\W+/g, '-')}.img`
    const source = disk(name, size, data)
    const byPython = path.join(dir, `py-${name}`)
    const byTar = path.join(dir, `tar-${name}`)
    expect(receive([name], byPython)).toMatchObject({status: 0})
    execFileSync('mkdir', ['-p', byTar])
    execFileSync('sh', ['-c', `cd "$1" && tar ${CANONICAL_TAR} --sparse -cf - -- "$2" | (cd "$3" && tar -xpf - --no-same-owner)`, 'sh', path.join(dir, 'src'), name, byTar])
    const [a, b] = [path.join(byPython, name), path.join(byTar, name)]
    expect(readFileSync(a).equals(readFileSync(source))).toBe(true)
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true)
    expect(statSync(a).size).toBe(size)
    expect(allocated(a)).toBeLessThanOrEqual(allocated(b) + 64 * 1024)
    expect(statSync(a).mode & 0o7777).toBe(statSync(b).mode & 0o7777)
    expect(statSync(a).mtimeMs).toBe(statSync(b).mtimeMs)
    const digest = async (f: string) => (await fileFacts(shell, [f], 'tar-sparse')).get(f)?.sha256
    expect(await digest(a)).toBe(await digest(source))
  })

  it('unpacks several files of one stream, and replaces a file left by an earlier attempt', async () => {
    disk('d/one.img', 4 * MiB, [[MiB, 5000]])
    disk('d/two.img', 2 * MiB, [[0, 100]])
    const into = path.join(dir, 'several')
    execFileSync('mkdir', ['-p', path.join(into, 'd')])
    writeFileSync(path.join(into, 'd/one.img'), 'stale partial copy')
    expect(receive(['d/one.img', 'd/two.img'], into)).toMatchObject({status: 0})
    for (const f of ['d/one.img', 'd/two.img']) expect(readFileSync(path.join(into, f)).equals(readFileSync(path.join(dir, 'src', f)))).toBe(true)
  })

  it('refuses names outside the target dir and links, writing nothing there', () => {
    const evil = path.join(dir, 'evil')
    execFileSync('mkdir', ['-p', path.join(evil, 'in'), path.join(evil, 'src')])
    writeFileSync(path.join(evil, 'src', 'x'), 'payload')
    execFileSync('ln', ['-s', '/etc/passwd', path.join(evil, 'src', 'link')])
    const escaping = execFileSync('tar', ['--format=gnu', '-C', path.join(evil, 'src'), '--transform', 's,^x$,../outside,', '-cf', '-', 'x'])
    const r = spawnSync(python, ['-c', SPARSE_RECEIVER_PY], {cwd: path.join(evil, 'in'), input: escaping})
    expect(r.status).toBe(2)
    expect(r.stderr.toString()).toMatch(/^ocvm receive: refusing the member '\.\.\/outside': outside the target dir/m)
    expect(existsSync(path.join(evil, 'outside'))).toBe(false)
    const linked = execFileSync('tar', ['--format=gnu', '-C', path.join(evil, 'src'), '-cf', '-', 'link'])
    const l = spawnSync(python, ['-c', SPARSE_RECEIVER_PY], {cwd: path.join(evil, 'in'), input: linked})
    expect(l.status).toBe(2)
    expect(l.stderr.toString()).toMatch(/refusing the member 'link': not a regular file/)
    expect(existsSync(path.join(evil, 'in', 'link'))).toBe(false)
  })

  it('fails clearly on a stream cut short, without a traceback', () => {
    disk('cut.img', 8 * MiB, [[0, 2 * MiB]])
    const archive = execFileSync('tar', [...CANONICAL_TAR.split(' '), '--sparse', '-C', path.join(dir, 'src'), '-cf', '-', 'cut.img'], {maxBuffer: 64 * MiB})
    const into = path.join(dir, 'cut')
    execFileSync('mkdir', ['-p', into])
    const r = spawnSync(python, ['-c', SPARSE_RECEIVER_PY], {cwd: into, input: archive.subarray(0, 1 * MiB)})
    expect(r.status).toBe(2)
    expect(r.stderr.toString()).toMatch(/^ocvm receive: /m)
    expect(r.stderr.toString()).not.toMatch(/Traceback/)
  })

  it('streamTree sends a disk the same way with Python or GNU tar on both ends (GNU tar is what hosts without Python 3 get)', async () => {
    // Random data: the adaptive stream goes plain, so Python can pack it.
    const source = disk('both/disk.img', 64 * MiB, [[2 * MiB, 3 * MiB], [30 * MiB, 12 * MiB + 512]])
    const results = []
    for (const tools of ['auto', 'tar'] as const) {
      const dest = path.join(dir, `both-${tools}`)
      results.push(await streamTree({source: shell, target: shell, sourceRoot: path.dirname(source), paths: ['disk.img'], targetDir: dest, compress: true, adaptive: true, sparse: true, digest: true, tools}))
      expect(readFileSync(path.join(dest, 'disk.img')).equals(readFileSync(source))).toBe(true)
    }
    const [python, tar] = results
    expect(python?.compressed).toBe(false)
    expect(python?.digest).toMatch(/^[0-9a-f]{64}$/)
    expect(python?.digest).toBe(tar?.digest)
    // The same archive on the wire (15 MiB of data and its headers, in whole 1 MiB records) and the marker byte.
    expect(python?.wireBytes).toBe(tar?.wireBytes)
    expect(python?.wireBytes).toBe(16 * MiB + 1)
  })
})
