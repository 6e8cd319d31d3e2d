import {tmpdir} from 'node:os'
import {describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {execAll, parseBatch} from '../../../src/hosts/batch.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'

// A real sh through a local Shell (the same script runs over ssh on hosts).
const shell = createShell(LOCAL, createRunner(), {controlDir: tmpdir()})

describe('execAll', () => {
  it('runs each argv as data (quotes, $(...), newlines stay words) and returns exit codes and outputs in order', async () => {
    const tricky = `a 'b' "c" $(touch /tmp/ocvm-batch-pwned) \`id\` ;\nnext`
    const results = await execAll(shell, [
      ['printf', '%s', tricky],
      ['sh', '-c', 'echo out; echo err >&2; exit 3'],
      ['printf', 'ünïcode\n'],
      ['true'],
      ['sh', '-c', 'sleep 0.2; printf late'],
    ])
    expect(results).toEqual([
      {exitCode: 0, stdout: tricky, stderr: ''},
      {exitCode: 3, stdout: 'out\n', stderr: 'err\n'},
      {exitCode: 0, stdout: 'ünïcode\n', stderr: ''},
      {exitCode: 0, stdout: '', stderr: ''},
      {exitCode: 0, stdout: 'late', stderr: ''},
    ])
    expect(await execAll(shell, [])).toEqual([])
  })

  it('a missing command is exit 127 of that command only', async () => {
    const [missing, ok] = await execAll(shell, [['ocvm-no-such-command'], ['echo', 'x']])
    expect(missing?.exitCode).toBe(127)
    expect(ok).toEqual({exitCode: 0, stdout: 'x\n', stderr: ''})
  })

  it('rejects output that is not framed', () => {
    expect(() => parseBatch(Buffer.from('garbage\n'), 1)).toThrow(/unexpected output/)
    expect(() => parseBatch(Buffer.from('OCVM-BATCH 0 0 0\n'), 2)).toThrow(/unexpected output/)
  })
})
