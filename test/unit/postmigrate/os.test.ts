import {describe, expect, it} from 'vitest'

import {parseOsDetect, parseOsRelease, parseSwVers} from '../../../src/postmigrate/os.js'

// Captured from this machine's /etc/os-release (Debian 12) and from `sw_vers` on macOS 15.
const DEBIAN = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`
const SW_VERS = 'ProductName:\t\tmacOS\nProductVersion:\t\t15.1\nBuildVersion:\t\t24B83\n'

describe('OS detection', () => {
  it('parses os-release, quoted and bare values', () => {
    expect(parseOsRelease(DEBIAN)).toMatchObject({ID: 'debian', VERSION_ID: '12', PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', VERSION_CODENAME: 'bookworm'})
    expect(parseOsRelease('NAME="A \\"quoted\\" name"\n# comment\nBAD LINE\n')).toEqual({NAME: 'A "quoted" name'})
  })

  it('parses sw_vers', () => {
    expect(parseSwVers(SW_VERS)).toEqual({ProductName: 'macOS', ProductVersion: '15.1', BuildVersion: '24B83'})
  })

  it('decides by the kernel: Linux uses os-release, Darwin sw_vers', () => {
    expect(parseOsDetect(`Linux\n--sw_vers--\n--os-release--\n${DEBIAN}`, 'h')).toEqual({os: 'linux', id: 'debian', version: '12', name: 'Debian GNU/Linux 12 (bookworm)'})
    expect(parseOsDetect(`Darwin\n--sw_vers--\n${SW_VERS}--os-release--\n`, 'h')).toEqual({os: 'macos', id: 'macos', version: '15.1', name: 'macOS 15.1'})
  })

  it('refuses other systems with a clear error', () => {
    expect(() => parseOsDetect('FreeBSD\n--sw_vers--\n--os-release--\n', 'ssh://bsd')).toThrow(/ssh:\/\/bsd runs FreeBSD/)
  })
})
