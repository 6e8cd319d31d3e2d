// The Python writer of the canonical disk archive against GNU tar itself (this machine's GNU tar
// 1.34, with the very flags ocvm uses): byte for byte, over seeded random layouts of holes and data.
import {execFileSync, spawnSync} from 'node:child_process'
import {createHash, randomBytes} from 'node:crypto'
import {closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'
import {CANONICAL_TAR_PY} from '../../../src/transfer/canonical-tar.js'
import {fileFacts} from '../../../src/transfer/files.js'
import {FIND_PYTHON} from '../../../src/transfer/python.js'
import {CANONICAL_TAR} from '../../../src/transfer/stream.js'
import {seeded} from '../../reliability/seeded.js'

const dir = mkdtempSync(path.join(tmpdir(), 'ocvm-canon-'))
afterAll(() => rmSync(dir, {recursive: true, force: true}))
const python = execFileSync('sh', ['-c', `${FIND_PYTHON}\nfind_python`]).toString()
const MiB = 1024 * 1024
const GiB = 1024 * MiB

function file(name: string, size: number, data: Array<[number, number]>): string {
  const f = path.join(dir, name)
  rmSync(f, {force: true})
  execFileSync('truncate', ['-s', String(size), f])
  const fd = openSync(f, 'r+')
  for (const [offset, bytes] of data) writeSync(fd, randomBytes(bytes), 0, bytes, offset)
  closeSync(fd)
  return f
}

const gnuTar = (name: string) => execFileSync('sh', ['-c', `cd "$1" && tar ${CANONICAL_TAR} --sparse -cf - -- "$2"`, 'sh', dir, name], {maxBuffer: 512 * MiB})
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

function pythonCat(names: string[]): {status: number | null; stdout: Buffer; stderr: string} {
  const list = path.join(dir, 'list')
  writeFileSync(list, names.map((n) => `${n}\0`).join(''))
  const r = spawnSync(python, ['-c', CANONICAL_TAR_PY, 'cat', dir, list, String(50 * MiB)], {maxBuffer: 512 * MiB})
  return {status: r.status, stdout: r.stdout, stderr: r.stderr.toString()}
}

const pythonSum = (name: string) => spawnSync(python, ['-c', CANONICAL_TAR_PY, 'sum', dir, name]).stdout.toString().trim()

describe('the canonical disk archive written by Python', () => {
  it('is GNU tar\'s archive byte for byte, over 60 seeded layouts (holes, data at the ends, tiny and dense files, >4 and >25 regions)', () => {
    const rng = seeded('canonical-tar')
    const sizes = [0, 1, 511, 512, 513, 4096, 1_000_000, 7 * MiB + 123, 64 * MiB]
    for (let i = 0; i < 60; i++) {
      const size = rng.pick(sizes)
      const data: Array<[number, number]> = []
      const runs = size === 0 ? 0 : rng.pick([0, 1, 3, 5, 30, 60])
      for (let k = 0; k < runs; k++) {
        const offset = rng.int(0, size - 1)
        data.push([offset, Math.min(rng.pick([1, 100, 4096, 70_000, MiB]), size - offset)])
      }
      if (size > 0 && i % 10 === 0) data.push([0, Math.min(size, 3 * 4096)])
      const name = `f${i}.img`
      file(name, size, data)
      const expected = gnuTar(name)
      const got = pythonCat([name])
      expect(got.status, `${name}: ${got.stderr}`).toBe(0)
      expect(got.stdout.equals(expected), `${name} (${size} bytes, ${runs} runs)`).toBe(true)
      expect(pythonSum(name)).toBe(sha(expected))
    }
  })

  it('sizes past 8 GiB (base-256 fields), the progress lines, and the digest and size of what it wrote', () => {
    file('big.img', 9 * GiB + 7, [[5 * GiB, 3 * MiB], [9 * GiB, 7]])
    const got = pythonCat(['big.img'])
    const expected = gnuTar('big.img')
    expect(got.stdout.equals(expected)).toBe(true)
    expect(pythonSum('big.img')).toBe(sha(expected))
    expect(got.stderr.trim().split('\n').slice(-2)).toEqual([`OCVM-DIGEST:${sha(expected)}`, `OCVM-WIRE:${expected.length}`])
    file('progress.img', 160 * MiB, [[0, 120 * MiB]])
    const progress = pythonCat(['progress.img'])
    expect(progress.stderr.trim().split('\n')).toEqual(['OCVM-PROGRESS:52429312', 'OCVM-PROGRESS:104858112', `OCVM-DIGEST:${sha(progress.stdout)}`, `OCVM-WIRE:${progress.stdout.length}`])
  })

  it('declines (exit 3, no output) what it does not write like GNU tar, so the caller runs GNU tar', () => {
    file('a.img', MiB, [[0, 10]])
    file('b.img', MiB, [[0, 10]])
    const long = `${'x'.repeat(100)}.img`
    file(long, MiB, [[0, 10]])
    for (const names of [['a.img', 'b.img'], [long]]) {
      const r = pythonCat(names)
      expect(r.status, names.join()).toBe(3)
      expect(r.stdout.length).toBe(0)
      expect(r.stderr).toMatch(/^ocvm canonical tar: /)
    }
  })

  it('gives the tar-sparse digest of fileFacts, which falls back to GNU tar for a file it declines', async () => {
    const shell = createShell(LOCAL, createRunner(), {controlDir: tmpdir()})
    const long = `${'y'.repeat(100)}.img`
    for (const name of ['f1.img', long]) {
      file(name, 8 * MiB, [[MiB, 5000]])
      const facts = await fileFacts(shell, [path.join(dir, name)], 'tar-sparse')
      expect(facts.get(path.join(dir, name))?.sha256, name).toBe(sha(gnuTar(name)))
    }
  })
})
