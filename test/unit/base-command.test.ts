import {Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {toOcvmError} from '../../src/base-command.js'
import {BugError, HostUnreachableError, UsageError} from '../../src/errors.js'
import {caught} from '../helpers/caught.js'

describe('toOcvmError', () => {
  it('keeps ocvm errors as they are', () => {
    const e = new HostUnreachableError('h', 'timeout')
    expect(toOcvmError(e, 'ocvm migrate')).toBe(e)
  })

  it('turns a multi-line oclif parse error into a usage error with the whole reason', async () => {
    const error = await caught(Parser.parse([], {flags: {on: Flags.string({required: true})}}))
    expect((error as Error).message.split('\n')[0]).toBe('The following error occurred:')
    const e = toOcvmError(error, 'ocvm verify')
    expect(e).toBeInstanceOf(UsageError)
    expect(e.toJSON()).toEqual({code: 'usage', message: 'Missing required flag --on', hint: 'Run `ocvm verify --help` to see its arguments, flags and examples.', exitCode: 2, flags: ['on']})
  })

  it('turns anything else into a bug, keeping the cause', () => {
    const cause = new TypeError('x is undefined')
    const e = toOcvmError(cause)
    expect(e).toBeInstanceOf(BugError)
    expect(e.message).toBe('x is undefined')
    expect(e.cause).toBe(cause)
  })
})
