import {stripVTControlCharacters} from 'node:util'

import {UsageError} from '../errors.js'

/** What oclif's parser errors carry besides their message (its error classes are not exported). */
interface OclifParseError {
  message?: string
  parse?: unknown
  oclif?: {exit?: number}
  /** RequiredArgsError: the missing args (objects); UnexpectedArgsError: the extra words (strings). */
  args?: unknown
  /** NonExistentFlagsError: the unknown flags as typed. */
  flags?: unknown
}

const PARSE_MESSAGE = /^(Nonexistent flags?|Unexpected arguments?|Missing (required flag|\d+ required args?)|Expected --|Flag --|The following errors? occurred)/i

/** True for the errors oclif's parser throws on bad flags or arguments (all exit 2 in oclif). */
export function isOclifParseError(error: unknown): error is OclifParseError {
  const e = error as OclifParseError | undefined
  return Boolean(e) && (e?.parse !== undefined || e?.oclif?.exit === 2 || PARSE_MESSAGE.test(e?.message ?? ''))
}

/**
 * An oclif parse error as a UsageError that keeps what the user needs: which flag or argument, in
 * one message, without oclif's "See more help with --help" (the hint says that, naming the command)
 * and without the escape codes oclif puts in some messages. `usage` is how the user runs the
 * command (`ocvm verify`), for the hint.
 */
export function usageErrorFromOclif(error: OclifParseError, usage?: string): UsageError {
  const lines = stripVTControlCharacters(error.message ?? '')
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => !/^See more help with --help$/.test(l.trim()))
  const help = usage ? `Run \`${usage} --help\` to see its arguments, flags and examples.` : 'Run the command with --help to see its flags and examples.'

  const missingArgs = namedArgs(error.args)
  if (/^Missing \d+ required args?/.test(lines[0] ?? '') && missingArgs.length > 0) {
    // oclif lists the args in a table wrapped to the terminal, then a note about flags that take
    // several values (arguments must come before them): one line each, the note in the hint.
    const names = missingArgs.map((a) => a.name.toUpperCase())
    const message = missingArgs.length === 1
      ? `Missing required argument ${names[0]}${missingArgs[0]?.description ? `: ${missingArgs[0].description}` : ''}`
      : `Missing required arguments ${names.join(', ')}`
    const note = severalValuesNote(lines, error.parse)
    return new UsageError(message, note ? `${note} ${help}` : help, {args: missingArgs.map((a) => a.name)})
  }

  if (/^The following errors? occurred:?$/.test(lines[0] ?? '')) {
    // Flag validation: the header says nothing, the indented lines below it are the reasons.
    const reasons = lines.slice(1).map((l) => l.trim()).filter(Boolean).map((r) => r.replace(/^Missing required flag (\S+)$/, 'Missing required flag --$1'))
    const flags = reasons.flatMap((r) => [...r.matchAll(/--([\w-]+)/g)].map((m) => m[1] ?? ''))
    return new UsageError(reasons.join('; ') || 'invalid flags', help, flags.length > 0 ? {flags: [...new Set(flags)]} : undefined)
  }

  const message = lines.filter((l) => l.trim() !== '').join('\n').replace(/^Error: /, '') || 'invalid arguments'
  const flags = Array.isArray(error.flags) ? {flags: error.flags.map(String)} : undefined
  return new UsageError(message, help, flags)
}

function namedArgs(args: unknown): Array<{name: string; description?: string}> {
  if (!Array.isArray(args)) return []
  return args.flatMap((a: unknown) => {
    const arg = a as {name?: unknown; description?: unknown} | null
    return typeof arg?.name === 'string' ? [{name: arg.name, ...(typeof arg.description === 'string' ? {description: arg.description} : {})}] : []
  })
}

/**
 * oclif's note that flags taking several values swallow the words after them: said (shortly) only
 * when the user gave one of those flags, where it explains the missing argument.
 */
function severalValuesNote(lines: string[], parse: unknown): string | undefined {
  const note = lines.find((l) => l.startsWith('Note: '))
  if (!note) return undefined
  const given = (parse as {output?: {flags?: Record<string, unknown>}} | undefined)?.output?.flags ?? {}
  const flags = [...note.matchAll(/--([\w-]+)/g)].map((m) => m[1] ?? '').filter((f) => given[f] !== undefined)
  if (flags.length === 0) return undefined
  const named = flags.map((f) => `--${f}`).join(', ')
  return `${named} take${flags.length === 1 ? 's' : ''} several values: give the arguments before ${flags.length === 1 ? 'it' : 'them'}, or after "--".`
}
