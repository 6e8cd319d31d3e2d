import {describe, expect, it} from 'vitest'

import {HostAuthError, HostUnreachableError} from '../../../src/errors.js'
import {classifySshFailure, missingCommandName} from '../../../src/hosts/ssh-errors.js'

const HOST = 'ssh://root@10.250.0.2'

describe('classifySshFailure', () => {
  it.each([
    ['ssh: Could not resolve hostname nosuch: Name or service not known\r\n', 'the host name does not resolve'],
    ['ssh: connect to host 10.250.0.9 port 22: Connection refused\r\n', 'connection refused (is sshd running, is the port right?)'],
    ['ssh: connect to host 10.250.0.9 port 22: Connection timed out\r\n', 'connection timed out'],
    ['Connection timed out during banner exchange\r\nConnection to 10.250.0.9 port 22 timed out\r\n', 'connection timed out'],
    ['ssh: connect to host 10.250.0.9 port 22: No route to host\r\n', 'no route to host'],
    ['ssh: connect to host 10.250.0.9 port 22: Network is unreachable\r\n', 'network is unreachable'],
    ['kex_exchange_identification: Connection closed by remote host\r\nConnection closed by 10.250.0.9 port 22\r\n', 'the connection was closed by the remote host'],
    ['kex_exchange_identification: read: Connection reset by peer\r\n', 'the connection was closed by the remote host'],
    ['client_loop: send disconnect: Broken pipe\r\n', 'the connection dropped'],
  ])('maps %j to HostUnreachableError', (stderr, reason) => {
    const error = classifySshFailure(255, stderr, HOST)
    expect(error).toBeInstanceOf(HostUnreachableError)
    expect(error?.code).toBe('host-unreachable')
    expect(error?.message).toBe(`cannot reach ${HOST}: ${reason}`)
    expect(error?.details).toEqual({host: HOST})
  })

  it.each([
    ['root@10.250.0.2: Permission denied (publickey).\r\n', 'permission denied (no accepted key)'],
    ['openclaw@10.250.0.2: Permission denied (publickey,password).\r\n', 'permission denied (no accepted key)'],
    [
      '@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\nHost key verification failed.\r\n',
      'the host key is unknown or has changed',
    ],
    ['No ED25519 host key is known for 10.250.0.2 and you have requested strict checking.\r\nHost key verification failed.\r\n', 'the host key is unknown or has changed'],
    ['Received disconnect from 10.250.0.2 port 22:2: Too many authentication failures\r\n', 'too many authentication failures'],
  ])('maps %j to HostAuthError', (stderr, reason) => {
    const error = classifySshFailure(255, stderr, HOST)
    expect(error).toBeInstanceOf(HostAuthError)
    expect(error?.code).toBe('host-auth')
    expect(error?.message).toBe(`ssh authentication to ${HOST} failed: ${reason}`)
  })

  it('reports an unknown "ssh:" failure with its last line', () => {
    const error = classifySshFailure(255, 'ssh: some new failure mode\n', HOST)
    expect(error).toBeInstanceOf(HostUnreachableError)
    expect(error?.message).toBe(`cannot reach ${HOST}: ssh: some new failure mode`)
  })

  it('returns undefined when the remote command failed (exit code other than 255)', () => {
    expect(classifySshFailure(1, 'ssh: connect to host 10.250.0.9 port 22: Connection refused', HOST)).toBeUndefined()
    expect(classifySshFailure(127, 'Permission denied (publickey).', HOST)).toBeUndefined()
    expect(classifySshFailure(0, '', HOST)).toBeUndefined()
    expect(classifySshFailure(-1, 'Host key verification failed.', HOST)).toBeUndefined()
  })

  it('returns undefined for exit 255 without an ssh message (the remote command exited 255)', () => {
    expect(classifySshFailure(255, '', HOST)).toBeUndefined()
    expect(classifySshFailure(255, 'my-script: fatal: giving up\n', HOST)).toBeUndefined()
  })
})

describe('missingCommandName', () => {
  it.each([
    ['sh: 1: zstd: not found\n', 'zstd'],
    ['sh: 3: pv: not found', 'pv'],
    ['bash: line 1: zstd: command not found\n', 'zstd'],
    ['bash: zstd: command not found\n', 'zstd'],
    ['sh: zstd: command not found\n', 'zstd'],
    ['zsh: command not found: zstd\n', 'zstd'],
    ['some warning first\nsh: 1: rsync: not found\n', 'rsync'],
  ])('finds the command in %j', (stderr, name) => {
    expect(missingCommandName(stderr)).toBe(name)
  })

  it('returns undefined when nothing is missing', () => {
    expect(missingCommandName('')).toBeUndefined()
    expect(missingCommandName('tar: Exiting with failure status due to previous errors\n')).toBeUndefined()
    expect(missingCommandName('ls: cannot access /nope: No such file or directory\n')).toBeUndefined()
  })
})
