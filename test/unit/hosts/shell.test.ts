import {readFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {ExternalCommandError, HostAuthError, HostUnreachableError, MissingToolError} from '../../../src/errors.js'
import {createRunner} from '../../../src/exec/runner.js'
import {createShell, ShellPool} from '../../../src/hosts/shell.js'
import {caught} from '../../helpers/caught.js'
import {withTempDir, writeScript} from '../helpers/temp-dir.js'


const local = () => createShell({kind: 'local'}, createRunner(), {controlDir: '/tmp'})

describe('createShell (local host)', () => {
  it('labels the host', () => {
    expect(local().label).toBe('local')
    expect(local().host).toEqual({kind: 'local'})
  })

  it('runs argv without a shell: $(...) is passed literally', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'x')
      const result = await local().exec(['printf', '%s', `$(touch ${marker})`])
      expect(result.stdout).toBe(`$(touch ${marker})`)
      await expect(readFile(marker)).rejects.toThrow(/ENOENT/)
    })
  })

  it('script() passes args as positional data, never code', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'x')
      const args = [`$(touch ${marker})`, "it's; rm -rf /", '', 'two words']
      const result = await local().script('for a in "$@"; do printf "[%s]" "$a"; done; printf "%s" "$#"', args)
      expect(result.stdout).toBe(`[$(touch ${marker})][it's; rm -rf /][][two words]4`)
      await expect(readFile(marker)).rejects.toThrow(/ENOENT/)
    })
  })

  it('script() sees $0 as sh and reads from input', async () => {
    const result = await local().script('printf "%s:" "$0"; cat', [], {input: 'data'})
    expect(result.stdout).toBe('sh:data')
  })

  it('maps exit 127 to MissingToolError naming the tool', async () => {
    const error = await caught(local().script('ocvm_missing_tool_zz --version'))
    expect(error).toBeInstanceOf(MissingToolError)
    expect((error as MissingToolError).details).toEqual({host: 'local', tool: 'ocvm_missing_tool_zz'})
    expect((error as MissingToolError).message).toContain('`ocvm_missing_tool_zz`')
  })

  it('maps a missing local binary to MissingToolError', async () => {
    const error = await caught(local().exec(['ocvm-no-such-binary-zz']))
    expect(error).toBeInstanceOf(MissingToolError)
    expect((error as MissingToolError).details).toEqual({host: 'this machine', tool: 'ocvm-no-such-binary-zz'})
  })

  it('throws ExternalCommandError on another non-zero exit', async () => {
    const error = await caught(local().script('echo "nope: $1" >&2; exit 3', ['arg']))
    expect(error).toBeInstanceOf(ExternalCommandError)
    const e = error as ExternalCommandError
    expect(e.details).toMatchObject({command: 'sh', exitCode: 3, host: 'local', stderrTail: 'nope: arg'})
    expect(e.message).toBe('sh exited with code 3 on local: nope: arg')
  })

  it('returns the result with allowFailure, even for exit 127', async () => {
    const failed = await local().exec(['sh', '-c', 'echo out; exit 5'], {allowFailure: true})
    expect(failed).toMatchObject({exitCode: 5, stdout: 'out\n'})
    const missing = await local().script('ocvm_missing_tool_zz', [], {allowFailure: true})
    expect(missing.exitCode).toBe(127)
  })

  it('rejects an empty argv', async () => {
    await expect(local().exec([])).rejects.toBeInstanceOf(TypeError)
  })
})

describe('createShell (ssh host, with a fake ssh)', () => {
  // fake-ssh: a test double for the network failure only. It stands first on PATH, records its
  // argv (NUL-terminated arguments, written atomically) and fails like OpenSSH does when sshd is down.
  async function withFakeSsh(stderr: string, fn: (dir: string, argvFile: string, env: Record<string, string>) => Promise<void>) {
    await withTempDir(async (dir) => {
      const argvFile = path.join(dir, 'fake-ssh-argv')
      await writeScript(dir, 'ssh', `# fake-ssh test double\nfor a in "$@"; do printf '%s\\0' "$a"; done > '${argvFile}'.$$ && mv '${argvFile}'.$$ '${argvFile}'\nprintf '%s\\n' '${stderr}' >&2\nexit 255`)
      await fn(dir, argvFile, {PATH: `${dir}:${process.env.PATH ?? ''}`})
    })
  }
  const readArgv = async (file: string) => (await readFile(file, 'utf8')).split('\0').slice(0, -1)

  it('throws HostUnreachableError when ssh cannot connect, and sent a multiplexed, quoted command', async () => {
    await withFakeSsh('ssh: connect to host x port 22: Connection refused', async (dir, argvFile, env) => {
      const shell = createShell({kind: 'ssh', host: 'x', user: 'openclaw', port: 2222}, createRunner(), {controlDir: dir})
      expect(shell.label).toBe('ssh://openclaw@x:2222')
      const error = await caught(shell.exec(['ls', '-la', "/home/o'claw/my dir", '$(id)'], {env}))
      expect(error).toBeInstanceOf(HostUnreachableError)
      expect((error as HostUnreachableError).message).toBe('cannot reach ssh://openclaw@x:2222: connection refused (is sshd running, is the port right?)')

      const argv = await readArgv(argvFile)
      expect(argv).toContain('ControlMaster=auto')
      expect(argv).toContain(`ControlPath=${dir}/%C`)
      expect(argv).toContain('BatchMode=yes')
      expect(argv.slice(-3)).toEqual(['--', 'x', "ls -la '/home/o'\\''claw/my dir' '$(id)'"])
      expect(argv.slice(argv.indexOf('-p'), argv.indexOf('-p') + 2)).toEqual(['-p', '2222'])
      expect(argv.slice(argv.indexOf('-l'), argv.indexOf('-l') + 2)).toEqual(['-l', 'openclaw'])
    })
  })

  it('throws the connection error even with allowFailure', async () => {
    await withFakeSsh('ssh: connect to host x port 22: Connection refused', async (dir, _argvFile, env) => {
      const shell = createShell({kind: 'ssh', host: 'x'}, createRunner(), {controlDir: dir})
      await expect(shell.exec(['true'], {env, allowFailure: true})).rejects.toBeInstanceOf(HostUnreachableError)
    })
  })

  it('throws HostAuthError when the key is refused', async () => {
    await withFakeSsh('root@x: Permission denied (publickey).', async (dir, _argvFile, env) => {
      const shell = createShell({kind: 'ssh', host: 'x', user: 'root'}, createRunner(), {controlDir: dir})
      await expect(shell.exec(['true'], {env})).rejects.toBeInstanceOf(HostAuthError)
    })
  })

  it('sends script() as sh -c with quoted positional args', async () => {
    await withFakeSsh('ssh: connect to host x port 22: Connection refused', async (dir, argvFile, env) => {
      const shell = createShell({kind: 'ssh', host: 'x'}, createRunner(), {controlDir: dir})
      await expect(shell.script('cat -- "$1"', ['/etc/my file'], {env})).rejects.toBeInstanceOf(HostUnreachableError)
      expect((await readArgv(argvFile)).at(-1)).toBe(`sh -c 'cat -- "$1"' sh '/etc/my file'`)
    })
  })

  it('ShellPool reuses one shell per host and asks each ssh master to exit', async () => {
    await withFakeSsh('', async (dir, argvFile, env) => {
      const previousPath = process.env.PATH
      process.env.PATH = env.PATH
      try {
        const pool = new ShellPool({runner: createRunner(), ssh: {controlDir: dir}})
        const a = pool.get({kind: 'ssh', host: 'x'})
        expect(pool.get({kind: 'ssh', host: 'x'})).toBe(a)
        expect(pool.get({kind: 'ssh', host: 'x', port: 2222})).not.toBe(a)
        expect(pool.get({kind: 'local'}).label).toBe('local')
        await pool.closeAll()
        // Two ssh hosts were closed (the local one needs nothing); the fake recorded the last call.
        const argv = await readArgv(argvFile)
        expect(argv.slice(-4)).toEqual(['-O', 'exit', '--', 'x'])
        expect(argv).toContain(`ControlPath=${dir}/%C`)
        // After closeAll the pool starts over.
        expect(pool.get({kind: 'ssh', host: 'x'})).not.toBe(a)
      } finally {
        process.env.PATH = previousPath
      }
    })
  })
})
