import {describe, expect, it} from 'vitest'

import {isNoSpace, parseDfLine} from '../../../src/transfer/disk-space.js'

describe('disk-full helpers', () => {
  it('parses the last line of df -Pk (GNU coreutils; the first line captured on this machine)', () => {
    expect(parseDfLine('/dev/vda         264212084 26887000  79503912      26% /\n')).toEqual({free: 79503912 * 1024, mount: '/'})
    expect(parseDfLine('ocvm-it-full         163840   163840         0     100% /home/bob')).toEqual({free: 0, mount: '/home/bob'})
    expect(parseDfLine('df: /nope: No such file or directory')).toBeUndefined()
  })

  it('recognizes ENOSPC as GNU tar and zstd report it', () => {
    expect(isNoSpace('tar: ./workspace/blob-3.bin: Cannot write: No space left on device\ntar: Exiting with failure status due to previous errors')).toBe(true)
    expect(isNoSpace('zstd: error 70 : Write error : cannot write block : No space left on device')).toBe(true)
    expect(isNoSpace('tar: Unexpected EOF in archive')).toBe(false)
  })
})
