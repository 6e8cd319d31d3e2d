import {describe, expect, it} from 'vitest'

import {cpuHasAes, FAST_CIPHERS, resolvedCiphers} from '../../../src/hosts/ssh-ciphers.js'

// Captured: `ssh -G -F /dev/null foo` with OpenSSH 9.2p1 (Debian 12), a few lines of 80.
const SSH_G = `user root
hostname foo
port 22
addressfamily any
ciphers chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com
macs umac-64-etm@openssh.com,umac-128-etm@openssh.com,hmac-sha2-256-etm@openssh.com
`

describe('ssh cipher preference', () => {
  it('reads the ciphers ssh resolved for a host', () => {
    expect(resolvedCiphers(SSH_G)).toBe('chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,aes256-ctr,aes128-gcm@openssh.com,aes256-gcm@openssh.com')
    expect(resolvedCiphers('user root\n')).toBeUndefined()
  })

  it('prefers AES-GCM among exactly the default ciphers, so no server that takes the defaults is refused', () => {
    const defaults = resolvedCiphers(SSH_G)!.split(',').sort()
    expect(FAST_CIPHERS.split(',').sort()).toEqual(defaults)
    expect(FAST_CIPHERS.split(',')[0]).toBe('aes128-gcm@openssh.com')
  })

  it('tells CPUs with AES instructions (x86 flags, arm64 features) from those without', () => {
    expect(cpuHasAes('processor\t: 0\nflags\t\t: fpu vme sse2 pclmulqdq aes avx2 sha_ni\n')).toBe(true)
    expect(cpuHasAes('processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32\n')).toBe(true)
    expect(cpuHasAes('processor\t: 0\nflags\t\t: fpu vme sse2 avx2\n')).toBe(false)
    expect(cpuHasAes('model name\t: aes-less cpu\nflags\t\t: fpu\n')).toBe(false)
  })
})
