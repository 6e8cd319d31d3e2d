import {OcvmError} from '../errors.js'
import type {Manifest, ManifestEntry} from './manifest.js'

// A tree's manifest as two sorted streams of NUL-terminated records, so that no side ever holds a
// whole tree in memory: the hosts list and hash (GNU find, sha256sum, `LC_ALL=C sort -z`), ocvm
// writes the records to files next to the journal as they arrive and compares two trees by merging
// two sorted streams record by record.
//
//   listing  PATH \t LINK \t TYPE \t MODE \t SIZE [\t MTIME]   one per entry (the root excluded)
//   hashes   PATH \t SHA256                                    one per regular file
//
// TYPE is f, d, l or o (anything else). MODE is octal permission bits (0 for symlinks, whose
// modes differ between platforms); SIZE is the file size, the link target's length for a symlink
// (lstat), 0 otherwise; MTIME (seconds, as find prints them) is only in source listings and is
// what a re-run compares to know the source did not change. Paths are relative and raw bytes: a
// name that is not UTF-8 still reaches tar unchanged.
//
// Records sort as whole byte strings (memcmp, as `LC_ALL=C sort -z`). Two records for different
// paths first differ inside `PATH\t`, so both streams of a host list paths in the same order, and
// comparing `PATH\t` bytes orders two paths as the sorted streams do.

export type EntryType = 'f' | 'd' | 'l' | 'o'

export interface ListRecord {
  path: Buffer
  type: EntryType
  mode: string
  size: number
  link: Buffer
  /** Present in listings taken with mtimes (the source's). */
  mtime?: string
  /** The record without its MTIME field: what staging must match. */
  identity: Buffer
}

export interface HashRecord {
  path: Buffer
  sha256: string
}

const TAB = 0x09
const TYPES = new Set(['f', 'd', 'l', 'o'])

function badRecord(record: Buffer, what: string): OcvmError {
  return new OcvmError('unexpected-output', `unexpected ${what} record: ${JSON.stringify(record.toString('utf8').slice(0, 120))}`, {
    hint: 'The host needs GNU find, sort and sha256sum (coreutils/findutils). Run again with --verbose to see the command.',
  })
}

/** Pure: parses a listing record (fields are read from the end: a path may contain tabs). */
export function parseListRecord(record: Buffer, withMtime: boolean): ListRecord {
  let end = record.length
  const field = (): string => {
    const tab = record.lastIndexOf(TAB, end - 1)
    if (tab < 0) throw badRecord(record, 'listing')
    const value = record.toString('latin1', tab + 1, end)
    end = tab
    return value
  }
  const mtime = withMtime ? field() : undefined
  const identityEnd = end
  const size = Number(field())
  const mode = field()
  const type = field()
  if (!TYPES.has(type) || !Number.isSafeInteger(size) || size < 0 || !/^[0-7]{1,6}$/.test(mode)) throw badRecord(record, 'listing')
  // What is left is `PATH\tLINK`; a symlink's target is SIZE bytes long, any other entry has none.
  const linkLength = type === 'l' ? size : 0
  const sep = end - linkLength - 1
  if (sep < 1 || record[sep] !== TAB) throw badRecord(record, 'listing')
  return {
    path: record.subarray(0, sep),
    type: type as EntryType,
    mode,
    size,
    link: record.subarray(sep + 1, end),
    ...(mtime === undefined ? {} : {mtime}),
    identity: record.subarray(0, identityEnd),
  }
}

/** Pure: parses a hash record. */
export function parseHashRecord(record: Buffer): HashRecord {
  const sep = record.length - 65
  const sha256 = record.toString('latin1', sep + 1)
  if (sep < 1 || record[sep] !== TAB || !/^[0-9a-f]{64}$/.test(sha256)) throw badRecord(record, 'checksum')
  return {path: record.subarray(0, sep), sha256}
}

/** Orders two paths as the sorted record streams list them (see the top of this file). */
export function comparePaths(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length)
  const c = Buffer.compare(a.subarray(0, n), b.subarray(0, n))
  if (c !== 0) return c
  if (a.length === b.length) return 0
  // The shorter path is followed by a tab in its record.
  return a.length < b.length ? compareByte(TAB, b[n] ?? 0) || -1 : -(compareByte(TAB, a[n] ?? 0) || -1)
}

function compareByte(x: number, y: number): number {
  return x === y ? 0 : x < y ? -1 : 1
}

/**
 * Pure: the records of an in-memory manifest (an archive's), sorted as the hosts sort theirs. The
 * listing has the form of a source listing, with 0 for MTIME (an archive is never re-compared).
 */
export function manifestRecords(manifest: Manifest): {listing: Buffer[]; hashes: Buffer[]} {
  const listing: Buffer[] = []
  const hashes: Buffer[] = []
  for (const e of manifest.entries) {
    listing.push(listRecordOf(e))
    if (e.type === 'file' && e.sha256) hashes.push(Buffer.from(`${e.path}\t${e.sha256}`))
  }
  return {listing: listing.sort(Buffer.compare), hashes: hashes.sort(Buffer.compare)}
}

function listRecordOf(e: ManifestEntry): Buffer {
  const type = e.type === 'file' ? 'f' : e.type === 'dir' ? 'd' : e.type === 'symlink' ? 'l' : 'o'
  const link = e.type === 'symlink' ? e.linkTarget ?? '' : ''
  const mode = e.type === 'symlink' ? '0' : (e.mode & 0o7777).toString(8)
  const size = e.type === 'file' ? e.size : e.type === 'symlink' ? Buffer.byteLength(link) : 0
  return Buffer.from(`${e.path}\t${link}\t${type}\t${mode}\t${size}\t0`)
}

/** For messages only: a path as text (bytes that are not UTF-8 are shown replaced). */
export function showPath(path: Buffer): string {
  return path.toString('utf8')
}
