import {describe, expect, it} from 'vitest'

import {OcvmError} from '../../../src/errors.js'
import {parseFileFacts} from '../../../src/transfer/files.js'

const HASH = 'a'.repeat(64)

describe('parseFileFacts', () => {
  it('reads size, allocated blocks and hash; missing files are undefined; names may hold tabs', () => {
    const out = parseFileFacts(`F\t67108864 4096\t${HASH}  -\t/vms/a/disk.img\0M\t/vms/a/nvram\0F\t5 8\t${HASH}  -\t/vms/odd\tname\0`)
    expect(out.get('/vms/a/disk.img')).toEqual({bytes: 67_108_864, allocated: 4096 * 512, sha256: HASH})
    expect(out.has('/vms/a/nvram')).toBe(true)
    expect(out.get('/vms/a/nvram')).toBeUndefined()
    expect(out.get('/vms/odd\tname')?.bytes).toBe(5)
  })

  it('reads the mtime when given, and stat-only records without a hash', () => {
    const out = parseFileFacts(`F\t10 8 1700000000\t${HASH} *stdin\t/d/a\0S\t20 0 1700000001\t/d/b\0`)
    expect(out.get('/d/a')).toEqual({bytes: 10, allocated: 4096, mtime: 1_700_000_000, sha256: HASH})
    expect(out.get('/d/b')).toEqual({bytes: 20, allocated: 0, mtime: 1_700_000_001})
  })

  it('says so when a tool printed something unexpected', () => {
    expect(() => parseFileFacts('F\tnot numbers\tzz\t/x\0')).toThrow(OcvmError)
  })
})
