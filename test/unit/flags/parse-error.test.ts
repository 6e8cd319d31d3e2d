import {Args, Flags, Parser} from '@oclif/core'
import {describe, expect, it} from 'vitest'

import {UsageError} from '../../../src/errors.js'
import {isOclifParseError, usageErrorFromOclif} from '../../../src/flags/parse-error.js'
import {caught} from '../../helpers/caught.js'

// The errors come from oclif's real parser, with flag and argument specs like ocvm's commands have.
const spec = {
  flags: {
    on: Flags.string({required: true}),
    'network-map': Flags.string({multiple: true}),
    live: Flags.boolean({exclusive: ['mode']}),
    mode: Flags.string({options: ['image', 'state']}),
  },
  args: {file: Args.string({required: true, description: 'The archive (ocvm export).'})},
}
const parseError = async (argv: string[]) => {
  const error = await caught(Parser.parse(argv, spec))
  expect(isOclifParseError(error)).toBe(true)
  return usageErrorFromOclif(error as Error, 'ocvm import')
}

describe('usageErrorFromOclif', () => {
  it('names the missing flag, with the command in the hint', async () => {
    const e = await parseError(['a.tar'])
    expect(e).toBeInstanceOf(UsageError)
    expect(e.message).toBe('Missing required flag --on')
    expect(e.hint).toBe('Run `ocvm import --help` to see its arguments, flags and examples.')
    expect(e.toJSON()).toMatchObject({code: 'usage', exitCode: 2, flags: ['on']})
  })

  it('names the missing argument with its description', async () => {
    const e = await parseError(['--on', 'h'])
    expect(e.message).toBe('Missing required argument FILE: The archive (ocvm export).')
    expect(e.hint).toBe('Run `ocvm import --help` to see its arguments, flags and examples.')
    expect(e.toJSON()).toMatchObject({args: ['file']})
  })

  it('explains a flag that swallowed the argument only when that flag was given', async () => {
    const e = await parseError(['--on', 'h', '--network-map', 'a=b', 'x.tar'])
    expect(e.message).toMatch(/^Missing required argument FILE/)
    expect(e.hint).toBe('--network-map takes several values: give the arguments before it, or after "--". Run `ocvm import --help` to see its arguments, flags and examples.')
  })

  it('keeps single-line errors whole, without oclif\'s "See more help" line', async () => {
    expect((await parseError(['--on', 'h', 'a', '--nope'])).message).toBe('Nonexistent flag: --nope')
    expect((await parseError(['--on', 'h', 'a', 'b'])).message).toBe('Unexpected argument: b')
    expect((await parseError(['--on', 'h', 'a', '--mode', 'vm'])).message).toBe('Expected --mode=vm to be one of: image, state')
    expect((await parseError(['--on'])).message).toBe('Flag --on expects a value')
  })

  it('lists every failed constraint, without the escape codes oclif dims them with', async () => {
    const e = await parseError(['--on', 'h', 'a', '--live', '--mode', 'image'])
    expect(e.message).toMatch(/^--(live|mode)=.* cannot also be provided when using --(mode|live)/)
    expect(e.message).not.toContain('The following')
    expect(e.message).not.toMatch(/\u001B/)
  })

  it('strips escape codes even when oclif colours the message', () => {
    const e = usageErrorFromOclif({message: 'The following error occurred:\n  \u001B[2mMissing required flag on\u001B[22m\nSee more help with --help', oclif: {exit: 2}})
    expect(e.message).toBe('Missing required flag --on')
    expect(e.hint).toBe('Run the command with --help to see its flags and examples.')
  })

  it('does not take other errors for parse errors', () => {
    expect(isOclifParseError(new Error('ENOENT: no such file'))).toBe(false)
    expect(isOclifParseError(undefined)).toBe(false)
  })
})
