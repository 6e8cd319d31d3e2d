import {createReadStream, createWriteStream, renameSync, rmSync, type WriteStream} from 'node:fs'
import {Readable, Writable} from 'node:stream'
import {pipeline} from 'node:stream/promises'

import {RecordSplitter} from '../hosts/nul-records.js'

// NUL-terminated records in local files (the manifests next to a run's journal): written as they
// arrive from a host, read back one record at a time. Memory stays flat whatever the file's size.

/**
 * A Writable that stores what a host prints in `file` (0600, written to a temp name and renamed by
 * `commit`) and hands each record to `onRecord` on the way.
 */
export class RecordFileWriter extends Writable {
  private readonly out: WriteStream
  private readonly splitter = new RecordSplitter()
  private readonly tmp: string

  constructor(readonly file: string, private readonly onRecord: (record: Buffer) => void = () => {}) {
    super()
    this.tmp = `${file}.tmp-${process.pid}`
    this.out = createWriteStream(this.tmp, {mode: 0o600})
    this.out.on('error', (error) => this.destroy(error))
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.splitter.push(chunk, this.onRecord)
    } catch (error) {
      callback(error as Error)
      return
    }
    if (this.out.write(chunk)) callback()
    else this.out.once('drain', () => callback())
  }

  override _final(callback: (error?: Error | null) => void): void {
    try {
      this.splitter.end(this.onRecord)
    } catch (error) {
      callback(error as Error)
      return
    }
    this.out.end(callback)
  }

  /** Ends the stream and moves the finished file into place. */
  async commit(): Promise<void> {
    await new Promise<void>((resolve, reject) => this.end((error?: Error | null) => (error ? reject(error) : resolve())))
    renameSync(this.tmp, this.file)
  }

  /** Ends the stream and drops what was written. */
  async discard(): Promise<void> {
    await new Promise<void>((resolve) => this.end(() => resolve()))
    rmSync(this.tmp, {force: true})
  }
}

/** The records of a file, one at a time. */
export async function* readRecords(file: string): AsyncGenerator<Buffer> {
  const splitter = new RecordSplitter()
  const ready: Buffer[] = []
  for await (const chunk of createReadStream(file, {highWaterMark: 64 * 1024})) {
    splitter.push(chunk as Buffer, (r) => ready.push(r))
    yield* ready.splice(0)
  }
  splitter.end((r) => ready.push(r))
  yield* ready
}

/** Writes records (each followed by a NUL) to a file, for manifests built in memory (archives). */
export async function writeRecords(file: string, records: Iterable<Buffer>): Promise<void> {
  const writer = new RecordFileWriter(file)
  await pipeline(Readable.from(withNul(records)), writer, {end: false})
  await writer.commit()
}

function* withNul(records: Iterable<Buffer>): Generator<Buffer> {
  const nul = Buffer.alloc(1)
  for (const r of records) yield Buffer.concat([r, nul])
}

/**
 * A readable of NUL-terminated paths (what tar reads with `--null -T -`) from a source of records;
 * `pick` returns the path of a record to send, or undefined to skip it.
 */
export function pathList<T>(records: AsyncIterable<T>, pick: (record: T) => Buffer | undefined): Readable {
  const nul = Buffer.alloc(1)
  return Readable.from((async function* () {
    for await (const r of records) {
      const p = pick(r)
      if (p) yield Buffer.concat([p, nul])
    }
  })())
}
