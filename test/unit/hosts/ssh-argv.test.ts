import {execFileSync} from 'node:child_process'
import {writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {sshBaseArgs, sshCommandArgs, sshControlExitArgs, type SshSettings} from '../../../src/hosts/ssh-argv.js'
import {withTempDir} from '../helpers/temp-dir.js'

const settings: SshSettings = {controlDir: '/tmp/ocvm-1000'}
const host = {kind: 'ssh' as const, host: 'server.example'}

/** The value of each `-o NAME=value` option. */
function options(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  argv.forEach((arg, i) => {
    if (arg !== '-o') return
    const [name = '', ...rest] = (argv[i + 1] ?? '').split('=')
    out[name] = rest.join('=')
  })
  return out
}

describe('sshBaseArgs', () => {
  it('is non-interactive and multiplexed over one master connection', () => {
    const argv = sshBaseArgs(host, settings)
    expect(options(argv)).toEqual({
      BatchMode: 'yes',
      ConnectTimeout: '15',
      ServerAliveInterval: '15',
      ServerAliveCountMax: '4',
      ControlMaster: 'auto',
      ControlPath: '/tmp/ocvm-1000/%C',
      ControlPersist: '60',
    })
    expect(argv).not.toContain('-F')
    expect(argv).not.toContain('-p')
    expect(argv).not.toContain('-l')
  })

  it('asks for ciphers only when the settings name them', () => {
    expect(options(sshBaseArgs(host, settings)).Ciphers).toBeUndefined()
    expect(options(sshBaseArgs(host, {...settings, ciphers: 'aes128-gcm@openssh.com,chacha20-poly1305@openssh.com'})).Ciphers).toBe('aes128-gcm@openssh.com,chacha20-poly1305@openssh.com')
  })

  it('honours the timeouts from the settings', () => {
    const o = options(sshBaseArgs(host, {...settings, connectTimeoutSec: 3, controlPersistSec: 600}))
    expect(o.ConnectTimeout).toBe('3')
    expect(o.ControlPersist).toBe('600')
  })

  it('passes -F only when a config file is given, before the options', () => {
    const argv = sshBaseArgs(host, {...settings, configFile: '/home/me/.ssh/ocvm config'})
    expect(argv.slice(0, 2)).toEqual(['-F', '/home/me/.ssh/ocvm config'])
    expect(argv.filter((a) => a === '-F')).toHaveLength(1)
    expect(sshBaseArgs(host, {...settings, configFile: ''})).not.toContain('-F')
  })

  it('passes the port with -p and the user with -l', () => {
    const argv = sshBaseArgs({kind: 'ssh', host: 'h', user: 'openclaw', port: 2222}, settings)
    expect(argv.slice(-4)).toEqual(['-p', '2222', '-l', 'openclaw'])
  })
})

describe('sshCommandArgs', () => {
  it('puts -- before the host and the quoted command last', () => {
    const argv = sshCommandArgs({kind: 'ssh', host: 'h', user: 'u', port: 22}, settings, ['ls', '-la', '/home/my dir'])
    const dashdash = argv.indexOf('--')
    expect(dashdash).toBeGreaterThan(0)
    expect(argv.slice(dashdash)).toEqual(['--', 'h', "ls -la '/home/my dir'"])
    expect(argv.slice(0, dashdash)).toEqual(sshBaseArgs({kind: 'ssh', host: 'h', user: 'u', port: 22}, settings))
  })

  it('puts -O exit and -- before the host for the control exit', () => {
    const argv = sshControlExitArgs(host, settings)
    expect(argv.slice(-4)).toEqual(['-O', 'exit', '--', 'server.example'])
  })

  const hostile = [
    'plain',
    'two words',
    "it's",
    "''",
    '$(id)',
    '`id`',
    '$HOME',
    '${HOME}',
    'a;b',
    'a && rm -rf /tmp/nothing-here',
    'line1\nline2',
    '',
    ' ',
    '\t',
    '*',
    '~',
    '~/x',
    '!',
    '#not a comment',
    '-n',
    '--token=abc',
    'FOO=bar',
    '==',
    '=ls',
    '%s',
    '\\',
    '"double"',
    'ünïcødé',
    'a\'b"c$d`e\\f',
  ]

  // `ssh host CMD` makes the remote login shell run `$SHELL -c CMD`: run the produced command line
  // through real local shells and check that printf receives exactly the original arguments.
  for (const shell of ['sh', 'dash', 'bash']) {
    it(`quotes the remote argv so that ${shell} -c sees the original arguments`, () => {
      const argv = sshCommandArgs(host, settings, ['printf', '%s\\0', ...hostile])
      const commandLine = argv.at(-1) ?? ''
      expect(argv.at(-2)).toBe('server.example')
      const out = execFileSync(shell, ['-c', commandLine], {encoding: 'utf8', env: {...process.env, HOME: '/should-not-appear'}})
      expect(out.split('\0').slice(0, -1)).toEqual(hostile)
    })
  }

  it('keeps a command-substitution argument inert', async () => {
    await withTempDir(async (dir) => {
      const marker = path.join(dir, 'pwned')
      const argv = sshCommandArgs(host, settings, ['echo', `$(touch ${marker})`, `; touch ${marker}`])
      const out = execFileSync('sh', ['-c', argv.at(-1) ?? ''], {encoding: 'utf8'})
      expect(out).toBe(`$(touch ${marker}) ; touch ${marker}\n`)
      expect(() => execFileSync('test', ['-e', marker])).toThrow()
    })
  })

  it('is accepted by the real OpenSSH client (ssh -G parses it without connecting)', async () => {
    await withTempDir(async (dir) => {
      const configFile = path.join(dir, 'ssh_config')
      await writeFile(configFile, '')
      const base = sshBaseArgs({kind: 'ssh', host: 'server.example', user: 'openclaw', port: 2222}, {configFile, controlDir: dir})
      const out = execFileSync('ssh', ['-G', ...base, '--', 'server.example'], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
      const config = Object.fromEntries(out.split('\n').map((l) => [l.split(' ')[0], l.split(' ').slice(1).join(' ')]))
      expect(config).toMatchObject({
        hostname: 'server.example',
        user: 'openclaw',
        port: '2222',
        batchmode: 'yes',
        controlmaster: 'auto',
        controlpersist: '60',
        connecttimeout: '15',
      })
      expect(config.controlpath).toMatch(new RegExp(`^${dir}/[0-9a-f]{40}$`))
    })
  })
})
