/**
 * POSIX shell quoting. Every argument that crosses into a remote shell (ssh joins its argv into one
 * command line) is single-quoted here, so names with spaces, quotes, `;`, `$()` or newlines are
 * data, never code.
 */
export function shellQuote(arg: string): string {
  // A leading `=` is expanded by zsh (`==` -> "= not found"), and `NAME=value` as the first word
  // is an assignment, not a command: both are quoted.
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) && !/^(?:=|[A-Za-z_][A-Za-z0-9_]*=)/.test(arg)) return arg
  return `'${arg.replaceAll("'", `'\\''`)}'`
}

export function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => shellQuote(a)).join(' ')
}
