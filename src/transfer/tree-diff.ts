import {comparePaths, parseHashRecord, parseListRecord, type HashRecord, type ListRecord} from './tree-records.js'
import {readRecords} from './record-files.js'

/** A tree's manifest as two local files of sorted records (tree-records.ts). */
export interface TreeFiles {
  listing: string
  hashes: string
  /** The listing has MTIME fields (a source listing). */
  mtime: boolean
}

export type Verdict = 'same' | 'differs' | 'missing' | 'extra'

export interface PathVerdict {
  path: Buffer
  verdict: Verdict
  expected?: ListRecord
  actual?: ListRecord
  /** Only the permission bits differ (type, size, link target and content are the same). */
  modeOnly?: boolean
}

/**
 * Compares two trees path by path, streaming both manifests (memory stays flat whatever their
 * size): `missing` is expected but absent, `extra` is present but not expected, `differs` is a
 * different type, mode, size, link target or SHA-256. Yields one verdict per path, in order.
 */
export async function* compareTrees(expected: TreeFiles, actual: TreeFiles): AsyncGenerator<PathVerdict> {
  const hashes = mergeByPath(hashRecords(expected.hashes), hashRecords(actual.hashes))[Symbol.asyncIterator]()
  let hash = await hashes.next()
  for await (const l of mergeByPath(listRecords(expected), listRecords(actual))) {
    // A hash without a listing entry only happens on a live tree (a file appeared in between): skip it.
    while (!hash.done && comparePaths(hash.value.path, l.path) < 0) hash = await hashes.next()
    let h: Merged<HashRecord> | undefined
    if (!hash.done && comparePaths(hash.value.path, l.path) === 0) {
      h = hash.value
      hash = await hashes.next()
    }
    yield verdictOf(l, h)
  }
}

function verdictOf(l: Merged<ListRecord>, h: Merged<HashRecord> | undefined): PathVerdict {
  const {a: e, b: a, path} = l
  if (e && !a) return {path, verdict: 'missing', expected: e}
  if (!e && a) return {path, verdict: 'extra', actual: a}
  const exp = e as ListRecord
  const act = a as ListRecord
  const sameContent = exp.type !== 'f' || (h?.a !== undefined && h.a.sha256 === h.b?.sha256)
  if (sameContent && exp.identity.equals(act.identity)) return {path, verdict: 'same', expected: exp, actual: act}
  const modeOnly = sameContent && exp.type === act.type && exp.size === act.size && exp.link.equals(act.link) && exp.mode !== act.mode
  return {path, verdict: 'differs', expected: exp, actual: act, ...(modeOnly ? {modeOnly} : {})}
}

interface Merged<T extends {path: Buffer}> {
  path: Buffer
  a?: T
  b?: T
}

/** Merges two streams sorted by path into one event per path (present in a, in b, or both). */
export async function* mergeByPath<T extends {path: Buffer}>(left: AsyncIterable<T>, right: AsyncIterable<T>): AsyncGenerator<Merged<T>> {
  const ia = left[Symbol.asyncIterator]()
  const ib = right[Symbol.asyncIterator]()
  let x = await ia.next()
  let y = await ib.next()
  while (!x.done || !y.done) {
    const c = x.done ? 1 : y.done ? -1 : comparePaths(x.value.path, y.value.path)
    if (c === 0 && !x.done && !y.done) {
      yield {path: x.value.path, a: x.value, b: y.value}
      x = await ia.next()
      y = await ib.next()
    } else if (c < 0 && !x.done) {
      yield {path: x.value.path, a: x.value}
      x = await ia.next()
    } else if (!y.done) {
      yield {path: y.value.path, b: y.value}
      y = await ib.next()
    }
  }
}

export async function* listRecords(tree: Pick<TreeFiles, 'listing' | 'mtime'>): AsyncGenerator<ListRecord> {
  for await (const r of readRecords(tree.listing)) yield parseListRecord(r, tree.mtime)
}

async function* hashRecords(file: string): AsyncGenerator<HashRecord> {
  for await (const r of readRecords(file)) yield parseHashRecord(r)
}
