// Spawning helpers shared by the CLI tests and the integration tests.
import {spawn} from 'node:child_process'
import {constants} from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface ExecResult {
  stdout: string
  stderr: string
  exitCode: number
}

export interface ExecOptions {
  env?: Record<string, string | undefined>
  input?: string | Buffer
  timeoutMs?: number
  cwd?: string
}

/** Runs a command; resolves with its output and exit code, rejects only on spawn errors or timeout. */
export function run(command: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 60_000
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: {...process.env, ...options.env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => err.push(d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(error)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stdout = Buffer.concat(out).toString('utf8')
      const stderr = Buffer.concat(err).toString('utf8')
      if (timedOut) {
        reject(
          new Error(
            `${command} ${args.join(' ')} timed out after ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`,
          ),
        )
        return
      }
      // Like a shell: a child killed by a signal exits 128 + signal number.
      resolve({stdout, stderr, exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0)})
    })
    // A child that exits without reading its stdin would otherwise raise EPIPE here.
    child.stdin.on('error', () => {})
    child.stdin.end(options.input ?? '')
  })
}

