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
  let pending: Buffer = Buffer.alloc(0)
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      let data = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk
      let nul = data.indexOf(0)
      while (nul !== -1) {
        if (nul > 0) onRecord(data.toString('utf8', 0, nul))
        data = data.subarray(nul + 1)
        nul = data.indexOf(0)
      }
      pending = Buffer.from(data)
      callback()
    },
    final(callback) {
      if (pending.length > 0) onRecord(pending.toString('utf8'))
      callback()
    },
  })
}
