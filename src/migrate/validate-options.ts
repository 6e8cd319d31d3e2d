import {posix} from 'node:path'
import {z} from 'zod'

import {UsageError} from '../errors.js'
import type {MigrateOptions} from './types.js'

// Paths and names from flags end up as arguments of commands on remote hosts. They are always passed
// as data (never spliced into a script), but a path that is relative, starts with `-`, holds `..`
// or a control character is never what the user meant: it is refused here, before any host is touched.
const PathSchema = z
  .string()
  .refine((p) => posix.isAbsolute(p), 'must be an absolute path (starting with /)')
  .refine((p) => !/[\u0000-\u001f\u007f]/.test(p), 'must not contain control characters (newlines, tabs)')
  .refine((p) => !p.split('/').includes('..'), 'must not contain ".." segments')

const ProfileSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, 'must be a plain name (letters, digits, _ . -), like the suffix of ~/.openclaw-<name>')

const PATH_FLAGS = [['stateDir', '--state-dir'], ['targetStateDir', '--target-state-dir'], ['targetHome', '--target-home']] as const

/** Throws a UsageError naming the flag for the first unusable path or profile name. */
export function validateMigrateOptions(options: MigrateOptions): void {
  for (const [key, flag] of PATH_FLAGS) {
    const value = options[key]
    if (value === undefined) continue
    const parsed = PathSchema.safeParse(value)
    if (!parsed.success) throw new UsageError(`${flag} ${JSON.stringify(value)} ${parsed.error.issues[0]?.message ?? 'is not a usable path'}`, `Give ${flag} as an absolute path, e.g. ${flag} /home/openclaw/.openclaw.`)
  }
  if (options.profile !== undefined) {
    const parsed = ProfileSchema.safeParse(options.profile)
    if (!parsed.success) throw new UsageError(`--profile ${JSON.stringify(options.profile)} ${parsed.error.issues[0]?.message ?? 'is not a usable name'}`, 'Example: --profile work (for ~/.openclaw-work).')
  }
}
