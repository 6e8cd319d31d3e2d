import {describe, expect, it} from 'vitest'

import {comparePaths, manifestRecords, parseHashRecord, parseListRecord} from '../../../src/transfer/tree-records.js'

const b = (s: string) => Buffer.from(s)

describe('tree records', () => {
  it('parses listing records from the end, so paths and link targets may hold tabs', () => {
    const file = parseListRecord(b('dir/a\tb\t\tf\t644\t12\t1732435200.5'), true)
    expect({path: file.path.toString(), type: file.type, mode: file.mode, size: file.size, link: file.link.toString(), mtime: file.mtime}).toEqual({path: 'dir/a\tb', type: 'f', mode: '644', size: 12, link: '', mtime: '1732435200.5'})
    expect(file.identity.toString()).toBe('dir/a\tb\t\tf\t644\t12')
    const link = parseListRecord(b('my\tlink\tto\tthere\tl\t0\t8'), false)
    expect({path: link.path.toString(), link: link.link.toString()}).toEqual({path: 'my\tlink', link: 'to\tthere'})
  })

  it('refuses records that do not have the shape', () => {
    for (const bad of ['a\t\tf\t644\t-1', 'a\t\tx\t644\t1', 'a\tlink\tl\t0\t99', 'no tabs at all', '\t\tf\t644\t1']) {
      expect(() => parseListRecord(b(bad), false), bad).toThrow(/unexpected listing record/)
    }
    expect(() => parseHashRecord(b(`a\t${'z'.repeat(64)}`))).toThrow(/unexpected checksum record/)
    expect(parseHashRecord(b(`a b\t${'0'.repeat(64)}`)).path.toString()).toBe('a b')
  })

  it('orders paths as `LC_ALL=C sort -z` orders their records', () => {
    const paths = ['a', 'a b', 'a/b', 'a\u0001', 'ab', 'b', 'é', 'Z', '.hidden', 'a-b']
    const records = paths.map((p) => b(`${p}\t\tf\t644\t1`)).sort(Buffer.compare)
    const byPath = paths.map(b).sort(comparePaths)
    expect(byPath.map(String)).toEqual(records.map((r) => parseListRecord(r, false).path.toString()))
  })

  it('turns an in-memory manifest (an archive) into the records a host would print, sorted', () => {
    const {listing, hashes} = manifestRecords({
      entries: [
        {path: 'z.json', type: 'file', mode: 0o100600, size: 3, sha256: 'f'.repeat(64)},
        {path: 'dir', type: 'dir', mode: 0o40755, size: 4096},
        {path: 'dir/link', type: 'symlink', mode: 0o777, size: 0, linkTarget: '../z.json'},
      ],
      bytes: 3,
      files: 1,
    })
    expect(listing.map(String)).toEqual(['dir\t\td\t755\t0\t0', 'dir/link\t../z.json\tl\t0\t9\t0', 'z.json\t\tf\t600\t3\t0'])
    expect(hashes.map(String)).toEqual([`z.json\t${'f'.repeat(64)}`])
  })
})
