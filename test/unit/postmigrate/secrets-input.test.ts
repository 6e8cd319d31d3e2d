import {chmod, writeFile} from 'node:fs/promises'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {Redactor} from '../../../src/exec/redactor.js'
import {loadSecrets, newGatewayToken, parseDotenv, quoteEnvValue} from '../../../src/postmigrate/secrets-input.js'
import {withTempDir} from '../helpers/temp-dir.js'

function caught(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}

describe('secrets input', () => {
  it('parses dotenv lines: export, quotes, comments', () => {
    expect(parseDotenv('# keys\nexport A=1\nB="two words"\nC=\'x#y\'\nD=plain # note\n', 'f')).toEqual([
      {name: 'A', value: '1'}, {name: 'B', value: 'two words'}, {name: 'C', value: 'x#y'}, {name: 'D', value: 'plain'},
    ])
    expect(() => parseDotenv('not a line\n', 'f')).toThrow(/f:1: expected NAME=value/)
  })

  it('reads a 0600 file and registers every value with the redactor', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'secrets.env')
      await writeFile(file, 'ANTHROPIC_API_KEY=sk-ant-abcdef123\nBRAVE_API_KEY=not-configured\n')
      await chmod(file, 0o600)
      const redactor = new Redactor()
      const values = loadSecrets({file}, redactor)
      expect(values.names()).toEqual(['ANTHROPIC_API_KEY', 'BRAVE_API_KEY'])
      expect(JSON.stringify({values})).toBe('{"values":{"names":["ANTHROPIC_API_KEY","BRAVE_API_KEY"]}}')
      expect(redactor.redact('key sk-ant-abcdef123')).toBe('key «redacted»')
      // The placeholder is not a secret: redacting the word would mangle messages.
      expect(redactor.redact('not-configured')).toBe('not-configured')
    })
  })

  it('refuses a file others can read, naming the fix', async () => {
    await withTempDir(async (dir) => {
      const file = path.join(dir, 'secrets.env')
      await writeFile(file, 'A=secret-value\n')
      await chmod(file, 0o644)
      const error = caught(() => loadSecrets({file}, new Redactor())) as {code: string; message: string; hint: string}
      expect(error.code).toBe('secrets-file-mode')
      expect(error.message).toContain('mode 644')
      expect(error.hint).toContain(`chmod 600 ${file}`)
    })
  })

  it('refuses empty values and offers not-configured; never echoes a value', async () => {
    const error = caught(() => loadSecrets({file: '-', stdinText: 'GOOD=abcdefgh\nEMPTY=\n'}, new Redactor())) as {code: string; message: string; hint: string}
    expect(error.code).toBe('secret-empty')
    expect(error.message).toBe('EMPTY is empty in stdin')
    expect(error.hint).toContain('EMPTY=not-configured')
    expect(JSON.stringify(error)).not.toContain('abcdefgh')
  })

  it('takes named values from the environment', () => {
    const values = loadSecrets({envNames: ['TS_AUTHKEY'], env: {TS_AUTHKEY: 'tskey-auth-123456'}}, new Redactor())
    expect(values.get('TS_AUTHKEY')).toBe('tskey-auth-123456')
    expect(() => loadSecrets({envNames: ['NOPE'], env: {}}, new Redactor())).toThrow(/NOPE is not set/)
  })

  it('quotes values for systemd EnvironmentFile and sh alike; tokens are 64 hex chars', () => {
    expect(quoteEnvValue('a"b$c`d\\e')).toBe('"a\\"b\\$c\\`d\\\\e"')
    expect(newGatewayToken()).toMatch(/^[0-9a-f]{64}$/)
    expect(newGatewayToken()).not.toBe(newGatewayToken())
  })
})
