import {Flags} from '@oclif/core'
import {text} from 'node:stream/consumers'

import type {Redactor} from '../exec/redactor.js'
import {loadSecrets, type SecretValues} from './secrets-input.js'

/** The flags through which secret values come in: a 0600 file, stdin, or named environment variables. Never their values in argv. */
export const secretsFlags = {
  'secrets-file': Flags.string({
    description: 'dotenv file (NAME=value per line, mode 0600) with the secrets to enter on the target; - reads them from stdin.',
    helpGroup: 'SECRETS',
  }),
  'secret-env': Flags.string({
    description: 'take this secret from ocvm\'s own environment (repeatable), e.g. --secret-env ANTHROPIC_API_KEY.',
    multiple: true,
    helpGroup: 'SECRETS',
  }),
}

export async function secretsFromFlags(flags: {'secrets-file'?: string; 'secret-env'?: string[]}, redactor: Redactor): Promise<SecretValues | undefined> {
  if (flags['secrets-file'] === undefined && !flags['secret-env']?.length) return undefined
  const stdinText = flags['secrets-file'] === '-' ? await text(process.stdin) : undefined
  return loadSecrets({
    ...(flags['secrets-file'] !== undefined ? {file: flags['secrets-file']} : {}),
    ...(stdinText !== undefined ? {stdinText} : {}),
    ...(flags['secret-env'] ? {envNames: flags['secret-env']} : {}),
  }, redactor)
}
