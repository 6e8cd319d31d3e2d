import type {Writable} from 'node:stream'

/**
 * One command's stdout connected straight to another's stdin, as `a | b` does, with both still
 * children of this process (exit codes, stderr, cancellation as for any command). The kernel moves
 * the bytes: relaying them through this process instead costs a read, a write and an event-loop
 * turn per 64 KiB, about 3 s per 2 GiB between two ssh connections on a 2-CPU host.
 *
 * Give it to the reading command as `stdin` and to the writing one as `stdout` (see RunOptions);
 * start both at once. The writer starts once the reader has. Whoever starts them calls `close()`
 * when either one ends: a writer that never started then fails instead of waiting, and a reader
 * whose writer never started sees the end of its input instead of waiting for it.
 *
 * Unlike a relay, the pipe outlives this process: if ocvm is SIGKILLed, the two commands may run
 * on to the end of the stream. Callers must not rely on its death to stop them (a disk's receiver
 * writes a file that `--resume` replaces and `--rollback` removes, and is never imported unverified).
 */
export class DirectPipe {
  private input: Writable | undefined
  private closed = false
  private readonly started: Promise<Writable>
  private settle!: {resolve: (w: Writable) => void; reject: (e: Error) => void}

  constructor() {
    this.started = new Promise<Writable>((resolve, reject) => {
      this.settle = {resolve, reject}
    })
    // A writer that is never started must not leave an unhandled rejection behind.
    this.started.catch(() => {})
  }

  /** Runner: the reader has started; `stdin` is its input's write end, held by this process. */
  attach(stdin: Writable): void {
    if (this.closed) {
      stdin.destroy()
      return
    }
    this.input = stdin
    this.settle.resolve(stdin)
  }

  /**
   * Runner: once the reader has started, `spawn` starts the writer with the write end as its stdout
   * (the child gets its own copy), then this process's copy is dropped.
   */
  async spawnWriter<T>(spawn: (stdout: Writable) => T): Promise<T> {
    const stdout = await this.started
    if (this.closed) throw notStarted()
    try {
      return spawn(stdout)
    } finally {
      this.close()
    }
  }

  /**
   * Drops this process's copy of the write end (the reader's input then ends when the writer's
   * does). Runner: right after spawning the writer. Idempotent.
   */
  close(): void {
    this.closed = true
    this.settle.reject(notStarted())
    this.input?.destroy()
  }
}

const notStarted = () => new Error('the reading end of the stream did not start, or has ended')
