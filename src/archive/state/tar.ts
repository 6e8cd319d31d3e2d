// A streaming reader of tar headers (ustar, pax and GNU long names) and a writer of one ustar
// member. ocvm never unpacks with this: it reads archives to validate and checksum them before the
// real GNU tar extracts anything. Pure: bytes in, entries out.
import {createHash, type Hash} from 'node:crypto'

export type TarEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo' | 'other'

export interface TarEntry {
  /** The name as stored (pax/GNU long names applied), not normalized. */
  name: string
  type: TarEntryType
  /** Raw type flag, for messages about exotic entries. */
  flag: string
  mode: number
  /** Declared size of the member's data (0 for links, dirs, devices). */
  size: number
  linkName: string
  /** pax keys that change how data is laid out (GNU sparse files), which ocvm refuses. */
  sparse: boolean
}

export interface TarReaderHandlers {
  /** Called for each entry before its data; return true to receive the data in `onEnd`'s `data`. Throw to stop. */
  onEntry(entry: TarEntry): {keepData?: boolean} | void
  /** Called once the entry's data has been read (sha256 of files; the data when asked for). */
  onEntryEnd?(entry: TarEntry, result: {sha256?: string; data?: Buffer}): void
}

const BLOCK = 512
const FLAGS: Record<string, TarEntryType> = {'0': 'file', '\0': 'file', '7': 'file', '1': 'hardlink', '2': 'symlink', '3': 'char-device', '4': 'block-device', '5': 'dir', '6': 'fifo'}

export class TarFormatError extends Error {}

/** Feed it the decompressed archive in chunks; it calls the handlers entry by entry. */
export class TarReader {
  /** Decompressed bytes seen so far. */
  bytesRead = 0
  /** True once two zero blocks (the end-of-archive marker) were seen. */
  ended = false
  private buffer: Buffer = Buffer.alloc(0)
  private current?: {entry: TarEntry; remaining: number; padding: number; hash?: Hash; data?: Buffer[]; meta?: 'pax' | 'gnu-name' | 'gnu-link' | 'skip'}
  private pending: {path?: string; linkpath?: string; size?: number; sparse?: boolean} = {}
  private zeroBlocks = 0

  constructor(private readonly handlers: TarReaderHandlers) {}

  push(chunk: Buffer): void {
    this.bytesRead += chunk.length
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    let offset = 0
    for (;;) {
      if (this.current) {
        const cur = this.current
        if (cur.remaining > 0) {
          const take = Math.min(cur.remaining, this.buffer.length - offset)
          if (take === 0) break
          const piece = this.buffer.subarray(offset, offset + take)
          cur.hash?.update(piece)
          cur.data?.push(Buffer.from(piece))
          cur.remaining -= take
          offset += take
          if (cur.remaining > 0) break
        }
        if (this.buffer.length - offset < cur.padding) break
        offset += cur.padding
        this.current = undefined
        this.finishEntry(cur)
        continue
      }
      if (this.buffer.length - offset < BLOCK) break
      const block = this.buffer.subarray(offset, offset + BLOCK)
      offset += BLOCK
      if (block.every((b) => b === 0)) {
        if (++this.zeroBlocks >= 2) this.ended = true
        continue
      }
      if (this.ended) throw new TarFormatError('data after the end-of-archive marker')
      this.zeroBlocks = 0
      this.startEntry(block)
    }
    this.buffer = this.buffer.subarray(offset)
  }

  /** Call after the last chunk: a member cut short is an error. */
  end(): void {
    if (this.current || this.buffer.length > 0) throw new TarFormatError('the archive is truncated')
  }

  private startEntry(block: Buffer): void {
    if (!checksumOk(block)) throw new TarFormatError(`bad header checksum at byte ${this.bytesRead - this.buffer.length}`)
    const flag = String.fromCharCode(block[156] ?? 0)
    const size = this.pending.size ?? readNumber(block.subarray(124, 136))
    const padding = (BLOCK - (size % BLOCK)) % BLOCK
    const meta = flag === 'x' ? 'pax' : flag === 'L' ? 'gnu-name' : flag === 'K' ? 'gnu-link' : flag === 'g' ? 'skip' : undefined
    if (meta) {
      const entry = {name: '', type: 'other' as const, flag, mode: 0, size, linkName: '', sparse: false}
      if (size > 1024 * 1024) throw new TarFormatError(`a ${flag} metadata header of ${size} bytes`)
      this.current = {entry, remaining: size, padding, data: [], meta}
      if (size === 0) this.finishEntryIfEmpty()
      return
    }
    const magic = block.subarray(257, 263).toString('latin1')
    const prefix = magic.startsWith('ustar') ? readString(block.subarray(345, 500)) : ''
    const rawName = readString(block.subarray(0, 100))
    const entry: TarEntry = {
      name: this.pending.path ?? (prefix ? `${prefix}/${rawName}` : rawName),
      type: FLAGS[flag] ?? 'other',
      flag,
      mode: readNumber(block.subarray(100, 108)) & 0o7777,
      size,
      linkName: this.pending.linkpath ?? readString(block.subarray(157, 257)),
      sparse: Boolean(this.pending.sparse) || flag === 'S',
    }
    this.pending = {}
    const wants = this.handlers.onEntry(entry)
    const dataSize = entry.type === 'file' || entry.type === 'other' ? size : 0
    this.current = {entry, remaining: dataSize, padding: dataSize ? padding : 0, ...(entry.type === 'file' ? {hash: createHash('sha256')} : {}), ...(wants?.keepData ? {data: []} : {})}
    if (dataSize === 0) this.finishEntryIfEmpty()
  }

  private finishEntryIfEmpty(): void {
    const cur = this.current
    if (cur && cur.remaining === 0 && cur.padding === 0) {
      this.current = undefined
      this.finishEntry(cur)
    }
  }

  private finishEntry(cur: NonNullable<TarReader['current']>): void {
    const data = cur.data ? Buffer.concat(cur.data) : undefined
    if (cur.meta === 'pax') this.pending = {...this.pending, ...parsePax(data ?? Buffer.alloc(0))}
    else if (cur.meta === 'gnu-name') this.pending.path = readString(data ?? Buffer.alloc(0))
    else if (cur.meta === 'gnu-link') this.pending.linkpath = readString(data ?? Buffer.alloc(0))
    else if (!cur.meta) this.handlers.onEntryEnd?.(cur.entry, {...(cur.hash ? {sha256: cur.hash.digest('hex')} : {}), ...(data ? {data} : {})})
  }
}

function readString(bytes: Buffer): string {
  const nul = bytes.indexOf(0)
  return bytes.subarray(0, nul === -1 ? bytes.length : nul).toString('utf8')
}

/** Octal, or GNU base-256 (high bit set) for sizes over 8 GiB. */
function readNumber(bytes: Buffer): number {
  if (((bytes[0] ?? 0) & 0x80) !== 0) {
    let value = (bytes[0] ?? 0) & 0x7f
    for (let i = 1; i < bytes.length; i++) value = value * 256 + (bytes[i] ?? 0)
    return value
  }
  const text = readString(bytes).trim()
  return text === '' ? 0 : Number.parseInt(text, 8)
}

function checksumOk(block: Buffer): boolean {
  const stored = readNumber(block.subarray(148, 156))
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : (block[i] ?? 0)
  return sum === stored
}

/** pax records: "LEN key=value\n". Only the keys that change names, sizes or layout matter here. */
function parsePax(data: Buffer): {path?: string; linkpath?: string; size?: number; sparse?: boolean} {
  const out: {path?: string; linkpath?: string; size?: number; sparse?: boolean} = {}
  let offset = 0
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset)
    if (space === -1) break
    const length = Number.parseInt(data.subarray(offset, space).toString('latin1'), 10)
    if (!Number.isFinite(length) || length <= 0) throw new TarFormatError('malformed pax header')
    const record = data.subarray(space + 1, offset + length - 1).toString('utf8')
    offset += length
    const eq = record.indexOf('=')
    const key = record.slice(0, eq)
    const value = record.slice(eq + 1)
    if (key === 'path') out.path = value
    else if (key === 'linkpath') out.linkpath = value
    else if (key === 'size') out.size = Number(value)
    else if (key.startsWith('GNU.sparse')) out.sparse = true
  }
  return out
}

export interface HeaderFields {
  name: string
  size?: number
  /** Type flag: '0' file, '1' hard link, '2' symlink, '3'/'4' devices, '5' dir, '6' fifo, 'x' pax. */
  flag?: string
  mode?: number
  linkName?: string
  mtime?: Date
}

/** One ustar header block (names under 100 bytes). Also used by tests to craft hostile archives. */
export function tarHeader(fields: HeaderFields): Buffer {
  if (Buffer.byteLength(fields.name) >= 100 || Buffer.byteLength(fields.linkName ?? '') >= 100) throw new Error(`tar name too long: ${fields.name}`)
  const header = Buffer.alloc(BLOCK)
  const octal = (value: number, width: number) => value.toString(8).padStart(width - 1, '0') + '\0'
  header.write(fields.name, 0, 'utf8')
  header.write(octal(fields.mode ?? 0o600, 8), 100, 'latin1')
  header.write(octal(0, 8), 108, 'latin1')
  header.write(octal(0, 8), 116, 'latin1')
  header.write(octal(fields.size ?? 0, 12), 124, 'latin1')
  header.write(octal(Math.floor((fields.mtime ?? new Date()).getTime() / 1000), 12), 136, 'latin1')
  header.write('        ', 148, 'latin1')
  header.write(fields.flag ?? '0', 156, 'latin1')
  header.write(fields.linkName ?? '', 157, 'utf8')
  header.write('ustar\0', 257, 'latin1')
  header.write('00', 263, 'latin1')
  let sum = 0
  for (const b of header) sum += b
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return header
}

/** One regular-file member, padded to whole blocks; no end marker. */
export function tarFileMember(name: string, data: Buffer, options: {mode?: number; mtime?: Date} = {}): Buffer {
  const padding = Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)
  return Buffer.concat([tarHeader({name, size: data.length, flag: '0', ...options}), data, padding])
}

/** The end-of-archive marker. */
export const TAR_END = Buffer.alloc(2 * BLOCK)
