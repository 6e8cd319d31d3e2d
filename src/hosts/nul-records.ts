import {Writable} from 'node:stream'

import type {RunResult} from '../exec/runner.js'
import type {Shell, ShellRunOptions} from './shell.js'

/**
 * Runs a script whose stdout is NUL-terminated records and hands each record to `onRecord` as it
 * arrives, so listings of 50,000 files never exist as one big string (plus its split copy) in
 * memory. The result's `stdout` is empty.
 */
export async function scriptRecords(shell: Shell, body: string, args: readonly string[], onRecord: (record: string) => void, options: Omit<ShellRunOptions, 'stdout'> = {}): Promise<RunResult> {
  const sink = nulRecords(onRecord)
  const result = await shell.script(body, args, {...options, stdout: sink})
  await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())))
  return result
}

/** A Writable that hands each NUL-terminated record to `onRecord` (the last one may lack its NUL). */
export function nulRecords(onRecord: (record: string) => void): Writable {
  const splitter = new RecordSplitter()
  const each = (record: Buffer) => onRecord(record.toString('utf8'))
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      splitter.push(chunk, each)
      callback()
    },
    final(callback) {
      splitter.end(each)
      callback()
    },
  })
}

/**
 * Splits NUL-terminated records out of chunks as they arrive; the last record may lack its NUL.
 * Records are views into the chunk (valid as long as the caller keeps them); only a record cut
 * by a chunk boundary is copied, so a long stream is not copied chunk by chunk.
 */
export class RecordSplitter {
  private pending: Buffer[] = []

  push(chunk: Buffer, onRecord: (record: Buffer) => void): void {
    let start = 0
    let nul = chunk.indexOf(0)
    if (nul !== -1 && this.pending.length > 0) {
      const first = Buffer.concat([...this.pending, chunk.subarray(0, nul)])
      this.pending = []
      if (first.length > 0) onRecord(first)
      start = nul + 1
      nul = chunk.indexOf(0, start)
    }
    while (nul !== -1) {
      if (nul > start) onRecord(chunk.subarray(start, nul))
      start = nul + 1
      nul = chunk.indexOf(0, start)
    }
    // Copied: a view would keep the whole chunk alive until the record is complete.
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)))
  }

  end(onRecord: (record: Buffer) => void): void {
    const last = Buffer.concat(this.pending)
    this.pending = []
    if (last.length > 0) onRecord(last)
  }
}
