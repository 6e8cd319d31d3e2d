import {UnsupportedError} from '../errors.js'

// How a value is written into a systemd unit so that systemd reads back exactly that value
// (systemd.unit(5) "Specifiers", systemd.service(5) "Command lines", systemd.syntax(7) "Quoting").
// Every setting ocvm writes expands specifiers: systemd-analyze verify (252) refuses an unknown %Q
// in Description, User, Group, WorkingDirectory, Environment, EnvironmentFile, StandardOutput=
// append: and ExecStart. So a literal % is always %%.

const specifiers = (s: string) => s.replaceAll('%', '%%')

/** A line break would end the setting early, other control characters are refused by systemd. */
function refuseControl(value: string, what: string): void {
  if (/[\u0000-\u001F\u007F]/.test(value)) throw unwritable(what, value, 'a line break or control character')
}

function unwritable(what: string, value: string, reason: string): UnsupportedError {
  return new UnsupportedError(`cannot write ${what} ${JSON.stringify(value)} into a systemd unit: it holds ${reason}`, `Give ${what} a name without it on the target (for a path: rename or move the directory), then run again.`)
}

/**
 * A value written as it is after `Key=` (Description, User, WorkingDirectory, EnvironmentFile,
 * append:PATH): spaces need no quotes there, since the whole rest of the line is the value. The
 * parser trims blanks at both ends and joins a line that ends with a backslash to the next one:
 * such values cannot be written, and are refused rather than changed.
 */
export function unitValue(value: string, what: string): string {
  refuseControl(value, what)
  if (value !== value.trim()) throw unwritable(what, value, 'blanks at its start or end')
  if (value.endsWith('\\')) throw unwritable(what, value, 'a backslash at its end')
  return specifiers(value)
}

/**
 * One word of an ExecStart= command line. In the arguments `$` is doubled (systemd substitutes
 * $VAR and ${VAR} there, quoted or not); the program's path is never substituted, so its `$` stays
 * single (systemd-analyze verify finds no `$$` file). A word with blanks, quotes or backslashes
 * goes in double quotes, where `\` and `"` are escaped (C-style escapes are decoded inside them).
 */
export function execWord(word: string, what: string, position: 'program' | 'argument' = 'argument'): string {
  refuseControl(word, what)
  const text = position === 'argument' ? specifiers(word).replaceAll('$', '$$$$') : specifiers(word)
  if (text === ';') return '\\;'
  return text === '' || /[\s"'\\]/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text
}

/** A command line for ExecStart=: the program, then its arguments, each as `execWord` writes it. */
export function execLine(argv: readonly string[], what: string): string {
  return argv.map((w, i) => execWord(w, what, i === 0 ? 'program' : 'argument')).join(' ')
}

/**
 * One assignment for Environment=: quoted as a whole when it has blanks, quotes or backslashes,
 * with `\` and `"` escaped inside. `$` means nothing there (no variable expansion in Environment=).
 */
export function envAssignment(key: string, value: string): string {
  refuseControl(value, `the value of ${key}`)
  const text = specifiers(`${key}=${value}`)
  return /[\s"'\\]/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text
}
