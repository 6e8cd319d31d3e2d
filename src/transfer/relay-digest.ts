import {createHash, type Hash} from 'node:crypto'

/**
 * SHA-256 of a plain canonical archive, taken as this machine relays it. ssh authenticates every
 * byte between the source's sshd and this process (one changed byte drops the connection), so this
 * is the digest of what the source packed, without a second pass over the data there. A zstd stream
 * is hashed on the source before it is compressed, and has no digest here.
 *
 * `wire`: `0` plain from the first byte, `1` zstd, `a` the first byte says what follows (`T` plain,
 * `Z` zstd) and is not part of the archive.
 */
export class RelayDigest {
  private hash: Hash | undefined
  private marker: boolean

  constructor(wire: '0' | '1' | 'a') {
    this.marker = wire === 'a'
    if (wire === '0') this.hash = createHash('sha256')
  }

  update(chunk: Buffer): void {
    if (this.marker) {
      this.marker = false
      if (chunk[0] === 0x54) this.hash = createHash('sha256')
      chunk = chunk.subarray(1)
    }
    this.hash?.update(chunk)
  }

  /** The hex digest of a plain archive (once the stream has ended); undefined for a zstd one. */
  digest(): string | undefined {
    return this.hash?.digest('hex')
  }
}
