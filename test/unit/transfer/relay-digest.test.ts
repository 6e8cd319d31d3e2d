import {createHash} from 'node:crypto'
import {describe, expect, it} from 'vitest'

import {RelayDigest} from '../../../src/transfer/relay-digest.js'

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
const archive = Buffer.from('a canonical archive, in as many chunks as the pipe gives')

function relay(wire: '0' | '1' | 'a', stream: Buffer, cuts: number[]): string | undefined {
  const d = new RelayDigest(wire)
  let at = 0
  for (const cut of [...cuts, stream.length]) {
    d.update(stream.subarray(at, cut))
    at = cut
  }
  return d.digest()
}

describe('RelayDigest', () => {
  it('hashes a plain stream whole, however it is chunked', () => {
    expect(relay('0', archive, [])).toBe(sha(archive))
    expect(relay('0', archive, [1, 7, 30])).toBe(sha(archive))
  })

  it('an adaptive stream: T is a marker, not archive; what follows is hashed', () => {
    const wire = Buffer.concat([Buffer.from('T'), archive])
    expect(relay('a', wire, [])).toBe(sha(archive))
    expect(relay('a', wire, [1, 2, 40])).toBe(sha(archive))
  })

  it('gives no digest of a zstd stream (the source hashed it before compressing)', () => {
    expect(relay('a', Buffer.concat([Buffer.from('Z'), archive]), [5])).toBeUndefined()
    expect(relay('1', archive, [])).toBeUndefined()
  })
})
