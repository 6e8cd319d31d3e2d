import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {formatHostSpec, type HostSpec, LOCAL, parseHostSpec} from '../../../src/hosts/host-spec.js'

function parseError(input: string): UsageError {
  try {
    parseHostSpec(input)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return error as UsageError
  }
  throw new Error(`parseHostSpec(${JSON.stringify(input)}) did not throw`)
}

describe('parseHostSpec', () => {
  it('parses local and the empty string as this machine', () => {
    expect(parseHostSpec('local')).toEqual({kind: 'local'})
    expect(parseHostSpec('')).toEqual({kind: 'local'})
    expect(parseHostSpec('   ')).toEqual(LOCAL)
  })

  it('parses a bare host and user@host', () => {
    expect(parseHostSpec('server.example')).toEqual({kind: 'ssh', host: 'server.example'})
    expect(parseHostSpec('openclaw@10.250.0.2')).toEqual({kind: 'ssh', host: '10.250.0.2', user: 'openclaw'})
    expect(parseHostSpec('  my_alias  ')).toEqual({kind: 'ssh', host: 'my_alias'})
  })

  it('parses ssh:// URLs with user and port', () => {
    expect(parseHostSpec('ssh://host')).toEqual({kind: 'ssh', host: 'host'})
    expect(parseHostSpec('ssh://user@host:2222')).toEqual({kind: 'ssh', host: 'host', user: 'user', port: 2222})
    expect(parseHostSpec('ssh://host/')).toEqual({kind: 'ssh', host: 'host'})
    expect(parseHostSpec('ssh://h:65535')).toEqual({kind: 'ssh', host: 'h', port: 65_535})
    expect(parseHostSpec('ssh://h:1')).toEqual({kind: 'ssh', host: 'h', port: 1})
  })

  it('parses bracketed IPv6 addresses into the bare address ssh expects', () => {
    // `ssh -- [::1]` fails with "Could not resolve hostname [::1]"; ssh wants `::1`.
    expect(parseHostSpec('ssh://[::1]:22')).toEqual({kind: 'ssh', host: '::1', port: 22})
    expect(parseHostSpec('ssh://user@[fe80::1]')).toEqual({kind: 'ssh', host: 'fe80::1', user: 'user'})
    expect(parseHostSpec('root@[2001:db8::7]')).toEqual({kind: 'ssh', host: '2001:db8::7', user: 'root'})
  })

  it('rejects an unbracketed IPv6 address (ambiguous with host:port)', () => {
    expect(parseError('::1').message).toMatch(/not a valid host name/)
  })

  it.each([
    ['ssh://h:0', '0'],
    ['ssh://h:70000', '70000'],
    ['ssh://h:65536', '65536'],
    ['ssh://h:', ''],
  ])('rejects the bad port in %s', (input, port) => {
    const error = parseError(input)
    expect(error.message).toContain(`port "${port}"`)
    expect(error.exitCode).toBe(2)
    expect(error.hint).toMatch(/ssh:\/\//)
  })

  it.each([
    ['-oProxyCommand=x', /not a valid host name/],
    ['ssh://-oProxyCommand=x', /not a valid host name/],
    ['-oProxyCommand=x@host', /not a valid user name/],
    ['ssh://-oProxyCommand=x@host', /not a valid user name/],
    ['host;rm -rf /', /not a valid host name/],
    ['host;rm', /not a valid host name/],
    ['ho st', /not a valid host name/],
    ['user name@host', /not a valid user name/],
    ["host'", /not a valid host name/],
    ['"host"', /not a valid host name/],
    ['host\n-oProxyCommand=x', /not a valid host name/],
    ['host$(id)', /not a valid host name/],
    ['`id`', /not a valid host name/],
    ['user@', /the host name is missing/],
    ['ssh://user@', /the host name is missing/],
    ['ssh://', /the host name is missing/],
    ['@host', /not a valid user name/],
    ['a@b@c', /cannot parse it/],
    ['http://x', /only ssh:\/\/ URLs are supported/],
    ['sftp://user@host', /only ssh:\/\/ URLs are supported/],
    ['ssh://host/path', /cannot parse it/],
    ['ssh://host:22:23', /cannot parse it/],
    ['host.', /not a valid host name/],
    ['-host', /not a valid host name/],
  ])('rejects hostile or malformed input %j', (input, why) => {
    const error = parseError(input)
    expect(error.message).toMatch(why)
    expect(error.code).toBe('usage')
  })
})

describe('formatHostSpec', () => {
  it('formats local and ssh specs', () => {
    expect(formatHostSpec(LOCAL)).toBe('local')
    expect(formatHostSpec({kind: 'ssh', host: 'h'})).toBe('ssh://h')
    expect(formatHostSpec({kind: 'ssh', host: 'h', user: 'u', port: 2222})).toBe('ssh://u@h:2222')
    expect(formatHostSpec({kind: 'ssh', host: '::1', port: 22})).toBe('ssh://[::1]:22')
  })

  it.each([
    'local',
    'ssh://host',
    'ssh://user@host',
    'ssh://host:2222',
    'ssh://openclaw@server.example:2222',
    'ssh://[::1]:22',
    'ssh://user@[fe80::1]',
    'ssh://10.250.0.2',
  ])('round-trips %s', (text) => {
    const spec = parseHostSpec(text)
    expect(formatHostSpec(spec)).toBe(text)
    expect(parseHostSpec(formatHostSpec(spec))).toEqual(spec)
  })

  it.each<[string, HostSpec]>([
    ['user@host', {kind: 'ssh', host: 'host', user: 'user'}],
    ['root@[2001:db8::7]', {kind: 'ssh', host: '2001:db8::7', user: 'root'}],
    ['', LOCAL],
  ])('normalises %j to a URL that parses back to the same spec', (text, spec) => {
    expect(parseHostSpec(text)).toEqual(spec)
    expect(parseHostSpec(formatHostSpec(spec))).toEqual(spec)
  })
})
