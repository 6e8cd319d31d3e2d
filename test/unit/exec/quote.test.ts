import {execFileSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'

import {shellJoin, shellQuote} from '../../../src/exec/quote.js'

describe('shellQuote', () => {
  it('leaves plain words alone', () => {
    for (const word of ['ls', '-la', '/home/openclaw/.openclaw', 'user@host', '--port=18789', 'a,b:c+d%e', '1.2.3']) {
      expect(shellQuote(word)).toBe(word)
    }
  })

  it('single-quotes everything else', () => {
    expect(shellQuote('')).toBe("''")
    expect(shellQuote('two words')).toBe("'two words'")
    expect(shellQuote('$(id)')).toBe("'$(id)'")
    expect(shellQuote('a;b')).toBe("'a;b'")
    expect(shellQuote('~')).toBe("'~'")
    expect(shellQuote('*.jsonl')).toBe("'*.jsonl'")
    expect(shellQuote('line1\nline2')).toBe("'line1\nline2'")
  })

  it("escapes single quotes as '\\''", () => {
    expect(shellQuote("it's")).toBe("'it'\\''s'")
    expect(shellQuote("'")).toBe("''\\'''")
  })

  it('quotes a leading = (zsh expands =cmd, and `==` fails with "= not found")', () => {
    expect(shellQuote('==')).toBe("'=='")
    expect(shellQuote('=ls')).toBe("'=ls'")
  })

  it('quotes NAME=value so that it cannot become an assignment as the first word', () => {
    expect(shellQuote('FOO=bar')).toBe("'FOO=bar'")
    expect(shellJoin(['FOO=bar', 'x'])).toBe("'FOO=bar' x")
    // As the command word it must be run as a (missing) command, not set a variable.
    expect(() => execFileSync('sh', ['-c', `${shellJoin(['FOO=bar', 'true'])}`], {stdio: 'pipe'})).toThrow()
  })
})

describe('shellJoin', () => {
  it('joins quoted words with spaces', () => {
    expect(shellJoin([])).toBe('')
    expect(shellJoin(['tar', '-C', '/home/my dir', '-cf', '-', '.'])).toBe("tar -C '/home/my dir' -cf - .")
  })

  it('round-trips through sh', () => {
    const args = ['', 'a b', "it's", '$(id)', '`id`', '\\n', 'x\ny', '"', "'\"'"]
    const out = execFileSync('sh', ['-c', shellJoin(['printf', '%s\\0', ...args])], {encoding: 'utf8'})
    expect(out.split('\0').slice(0, -1)).toEqual(args)
  })
})
