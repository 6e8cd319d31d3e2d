import {createHash, randomBytes} from 'node:crypto'
import {readFile, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {PassThrough, Readable, Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {CancelledError, ExternalCommandError, MissingToolError} from '../../../src/errors.js'
import {REDACTED, Redactor} from '../../../src/exec/redactor.js'
import {DirectPipe} from '../../../src/exec/direct-pipe.js'
import {createRunner, stderrTail} from '../../../src/exec/runner.js'
import {caught} from '../../helpers/caught.js'
import {withTempDir, writeScript} from '../helpers/temp-dir.js'


const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

describe('stderrTail', () => {
  it('keeps the last lines without the trailing newline', () => {
    const text = Array.from({length: 30}, (_, i) => `line ${i + 1}`).join('\n') + '\n'
    expect(stderrTail(text).split('\n')).toHaveLength(20)
    expect(stderrTail(text).split('\n')[0]).toBe('line 11')
    expect(stderrTail(text, 2)).toBe('line 29\nline 30')
    expect(stderrTail('')).toBe('')
  })
})

describe('createRunner', () => {
  it('captures stdout and stderr of a real script', async () => {
    await withTempDir(async (dir) => {
      const script = await writeScript(dir, 'both.sh', 'echo "out $1"; echo "err $2" >&2')
      const result = await createRunner().run(script, ['one', 'two words'])
      expect(result).toMatchObject({command: script, args: ['one', 'two words'], exitCode: 0, stdout: 'out one\n', stderr: 'err two words\n', timedOut: false, canceled: false})
      expect(result.stdoutBytes).toBeUndefined()
      expect(result.durationMs).toBeGreaterThanOrEqual(0)
    })
  })

  it('passes arguments without a shell', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'pwned')
      const result = await createRunner().run('printf', ['%s|', `$(touch ${marker})`, '; id', ''])
      expect(result.stdout).toBe(`$(touch ${marker})|; id||`)
      await expect(readFile(marker)).rejects.toThrow(/ENOENT/)
    })
  })

  it('throws ExternalCommandError with the exit code and the stderr tail on a non-zero exit', async () => {
    await withTempDir(async (dir) => {
      const script = await writeScript(dir, 'fail.sh', 'i=1; while [ $i -le 25 ]; do echo "problem $i" >&2; i=$((i+1)); done; exit 3')
      const error = await caught(createRunner().run(script, ['arg'], {hostLabel: 'local'}))
      expect(error).toBeInstanceOf(ExternalCommandError)
      const e = error as ExternalCommandError
      expect(e.details.exitCode).toBe(3)
      expect(e.details.args).toEqual(['arg'])
      expect(e.details.host).toBe('local')
      const tail = e.details.stderrTail as string
      expect(tail.split('\n')).toHaveLength(20)
      expect(tail.startsWith('problem 6\n')).toBe(true)
      expect(tail.endsWith('problem 25')).toBe(true)
      expect(e.message).toBe(`${script} exited with code 3 on local: problem 25`)
    })
  })

  it('returns the result on a non-zero exit with allowFailure', async () => {
    await withTempDir(async (dir) => {
      const script = await writeScript(dir, 'fail.sh', 'echo partial; echo bad >&2; exit 42')
      const result = await createRunner().run(script, [], {allowFailure: true})
      expect(result).toMatchObject({exitCode: 42, stdout: 'partial\n', stderr: 'bad\n', timedOut: false})
    })
  })

  it('throws MissingToolError for a binary that does not exist', async () => {
    const error = await caught(createRunner().run('ocvm-no-such-tool-xyz', ['--version'], {hostLabel: 'local'}))
    expect(error).toBeInstanceOf(MissingToolError)
    expect((error as MissingToolError).details).toEqual({host: 'this machine', tool: 'ocvm-no-such-tool-xyz'})
    // Even with allowFailure: a missing tool is never a "result".
    await expect(createRunner().run('ocvm-no-such-tool-xyz', [], {allowFailure: true})).rejects.toBeInstanceOf(MissingToolError)
  })

  it('kills a command that runs past timeoutMs and reports it as timed out', async () => {
    const started = Date.now()
    const error = await caught(createRunner().run('sleep', ['30'], {timeoutMs: 200}))
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error).toBeInstanceOf(ExternalCommandError)
    expect((error as ExternalCommandError).message).toMatch(/^sleep timed out after 0 s/)
    expect((error as ExternalCommandError).details.exitCode).toBeUndefined()

    const result = await createRunner().run('sleep', ['30'], {timeoutMs: 200, allowFailure: true})
    expect(result.timedOut).toBe(true)
    expect(result.exitCode).not.toBe(0)
  })

  it('cancels a command through an AbortSignal: a cancel is never an answer a caller reads, allowFailure or not', async () => {
    const controller = new AbortController()
    const started = Date.now()
    setTimeout(() => controller.abort(), 100)
    const error = await caught(createRunner().run('sleep', ['30'], {signal: controller.signal}))
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error).toBeInstanceOf(CancelledError)
    expect((error as CancelledError).message).toBe('interrupted while running sleep')
    expect((error as CancelledError).exitCode).toBe(130)

    const again = new AbortController()
    setTimeout(() => again.abort(), 100)
    expect(await caught(createRunner().run('sleep', ['30'], {signal: again.signal, allowFailure: true}))).toBeInstanceOf(CancelledError)
  })

  it('once the run\'s signal fired, a command it starts (the cleanup) runs to its end', async () => {
    const controller = new AbortController()
    const runner = createRunner({signal: controller.signal})
    const pending = caught(runner.run('sleep', ['30']))
    controller.abort()
    expect(await pending).toBeInstanceOf(CancelledError)
    const cleanup = await runner.run('sh', ['-c', 'sleep 0.2; echo restarted'])
    expect(cleanup.stdout).toBe('restarted\n')
  })

  it('feeds input to stdin and closes it', async () => {
    const text = await createRunner().run('cat', [], {input: 'hello\nworld\n'})
    expect(text.stdout).toBe('hello\nworld\n')
    const bytes = await createRunner().run('wc', ['-c'], {input: new Uint8Array([0, 1, 2, 255])})
    expect(bytes.stdout.trim()).toBe('4')
  })

  it('closes stdin when there is no input, so readers see EOF', async () => {
    const result = await createRunner().run('cat', [], {timeoutMs: 5000})
    expect(result).toMatchObject({exitCode: 0, stdout: '', timedOut: false})
  })

  it('streams 5 MB from a stdin stream through cat into a stdout writable, byte for byte', async () => {
    const data = randomBytes(5 * 1024 * 1024)
    const chunks: Buffer[] = []
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk)
        done()
      },
    })
    // Feed it in 64 KiB pieces, like a transfer.
    const source = Readable.from((function* () {
      for (let i = 0; i < data.length; i += 65_536) yield data.subarray(i, i + 65_536)
    })())
    const result = await createRunner().run('cat', [], {stdin: source, stdout: sink})
    const received = Buffer.concat(chunks)
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toBe('')
    expect(received.length).toBe(data.length)
    expect(sha256(received)).toBe(sha256(data))
    // end: false — the caller still owns the writable.
    expect(sink.writableEnded).toBe(false)
  })

  it('hands every chunk to a slow stdout writable: ending it after run returns delivers all of them', async () => {
    // The contract export's read-back relies on: a busy destination finishes its queue when ended.
    const data = randomBytes(2 * 1024 * 1024)
    const chunks: Buffer[] = []
    const sink = new Writable({
      highWaterMark: 1 << 30,
      write(chunk: Buffer, _enc, done) {
        setTimeout(() => {
          chunks.push(chunk)
          done()
        }, 2)
      },
    })
    const result = await createRunner().run('head', ['-c', String(data.length)], {input: data, stdout: sink})
    expect(result.exitCode).toBe(0)
    await new Promise<void>((resolve, reject) => sink.end((error?: Error | null) => (error ? reject(error) : resolve())))
    expect(sha256(Buffer.concat(chunks))).toBe(sha256(data))
  })

  it('pipes a stdin stream into a command that buffers stdout', async () => {
    const source = new PassThrough()
    source.end('a\nb\nc\n')
    const result = await createRunner().run('wc', ['-l'], {stdin: source})
    expect(result.stdout.trim()).toBe('3')
  })

  describe('with a DirectPipe', () => {
    it('moves 8 MB from one command straight into another, byte for byte', async () => {
      await withTempDir(async (dir) => {
        const data = randomBytes(8 * 1024 * 1024)
        await writeFile(path.join(dir, 'data'), data)
        const runner = createRunner()
        const pipe = new DirectPipe()
        const [reader, writer] = await Promise.all([
          runner.run('sha256sum', [], {stdin: pipe}).finally(() => pipe.close()),
          runner.run('cat', [path.join(dir, 'data')], {stdout: pipe}).finally(() => pipe.close()),
        ])
        expect(writer).toMatchObject({exitCode: 0, stdout: ''})
        expect(reader.stdout.split(' ')[0]).toBe(sha256(data))
      })
    })

    it('a reader sees the end of its input when the writer never starts; a writer started after that fails instead of waiting', async () => {
      const runner = createRunner()
      const pipe = new DirectPipe()
      const reading = runner.run('wc', ['-c'], {stdin: pipe, timeoutMs: 5000})
      await new Promise((resolve) => setTimeout(resolve, 50))
      pipe.close()
      expect((await reading).stdout.trim()).toBe('0')
      await expect(runner.run('echo', ['late'], {stdout: pipe, timeoutMs: 5000})).rejects.toThrow(/did not start/)
    })

    it('a writer whose reader exits early gets a broken pipe and ends', async () => {
      const runner = createRunner()
      const pipe = new DirectPipe()
      const [reader, writer] = await Promise.all([
        runner.run('head', ['-c', '10'], {stdin: pipe, timeoutMs: 10_000}).finally(() => pipe.close()),
        runner.run('yes', [], {stdout: pipe, allowFailure: true, timeoutMs: 10_000}).finally(() => pipe.close()),
      ])
      expect(reader.stdout).toBe('y\ny\ny\ny\ny\n')
      expect(writer.timedOut).toBe(false)
      expect(writer.exitCode).not.toBe(0)
    })
  })

  it('returns raw bytes with binary: true', async () => {
    const data = Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0a, 0x80, 0x00])
    const result = await createRunner().run('cat', [], {input: data, binary: true})
    expect(result.stdoutBytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(result.stdoutBytes ?? new Uint8Array())).toEqual(data)
    expect(result.stdout).toBe('')
    expect(typeof result.stderr).toBe('string')
  })

  it('passes env and cwd', async () => {
    await withTempDir(async (dir) => {
      const result = await createRunner().run('sh', ['-c', 'printf "%s %s" "$OCVM_TEST_VAR" "$(pwd)"'], {env: {OCVM_TEST_VAR: 'v1'}, cwd: dir})
      expect(result.stdout).toBe(`v1 ${dir}`)
    })
  })

  it('logs the command and its exit', async () => {
    const lines: string[] = []
    await createRunner({log: (l) => lines.push(l)}).run('true', ['a b'], {hostLabel: 'local'})
    expect(lines[0]).toBe("$ true 'a b'   [local]")
    expect(lines[1]).toMatch(/^ {2}-> exit 0 in \d+ ms$/)
  })

  describe('redaction', () => {
    // The secret is in argv and in stderr; it must not leak into the error or the debug log.
    const SECRET = "s3cr3t-T0KEN-va'lue"

    async function failWithSecret(dir: string) {
      const script = await writeScript(dir, 'leak.sh', 'echo "starting"; echo "auth failed for token $2" >&2; echo "token was: $2" >&2; exit 7')
      const redactor = new Redactor()
      redactor.add(SECRET)
      const lines: string[] = []
      const runner = createRunner({redactor, log: (l) => lines.push(l)})
      expect(runner.redactor).toBe(redactor)
      const error = await caught(runner.run(script, ['--token', SECRET, `--token=${SECRET}`], {hostLabel: 'ssh://h'}))
      return {error: error as ExternalCommandError, lines}
    }

    it('keeps a registered secret out of the error message, details.args and details.stderrTail', async () => {
      await withTempDir(async (dir) => {
        const {error} = await failWithSecret(dir)
        expect(error).toBeInstanceOf(ExternalCommandError)
        expect(error.message).not.toContain(SECRET)
        expect(error.message).toContain(REDACTED)
        expect(error.details.args).toEqual(['--token', REDACTED, `--token=${REDACTED}`])
        expect(error.details.stderrTail).toBe(`auth failed for token ${REDACTED}\ntoken was: ${REDACTED}`)
        expect(JSON.stringify(error)).not.toContain(SECRET)
        expect(JSON.stringify(error.toJSON())).not.toContain(SECRET)
      })
    })

    it('keeps a registered secret (even one with a quote) out of the debug log', async () => {
      await withTempDir(async (dir) => {
        const {lines} = await failWithSecret(dir)
        expect(lines.length).toBeGreaterThanOrEqual(3)
        const log = lines.join('\n')
        expect(log).not.toContain(SECRET)
        // Nor its shell-quoted form (quoting rewrites ' as '\'').
        expect(log).not.toContain('va\'\\\'\'lue')
        expect(log).not.toContain('s3cr3t-T0KEN')
        expect(lines[0]).toContain(REDACTED)
        expect(log).toContain(`  ! token was: ${REDACTED}`)
      })
    })

    it('removes a multi-line secret even when the stderr tail cuts it in half', async () => {
      await withTempDir(async (dir) => {
        const key = Array.from({length: 30}, (_, i) => `KEYLINE-${String(i).padStart(2, '0')}-abcdefgh`).join('\n')
        const keyFile = path.join(dir, 'key.txt')
        await writeFile(keyFile, key + '\n')
        const script = await writeScript(dir, 'dump.sh', 'cat "$1" >&2; exit 1')
        const redactor = new Redactor()
        redactor.add(key)
        const lines: string[] = []
        const error = await caught(createRunner({redactor, log: (l) => lines.push(l)}).run(script, [keyFile]))
        const e = error as ExternalCommandError
        expect(e.details.stderrTail).toBe(REDACTED)
        expect(JSON.stringify(e)).not.toContain('KEYLINE')
        expect(lines.join('\n')).not.toContain('KEYLINE')
      })
    })
  })
})
