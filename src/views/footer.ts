/** The end of every outcome a person reads: what went wrong on the side, then what to do next. */
export function warningLines(warnings: readonly string[]): string[] {
  return warnings.map((w) => `warning: ${w}`)
}

export function nextLines(next: readonly string[]): string[] {
  return next.length > 0 ? ['', 'Next:', ...next.map((n) => `  - ${n}`)] : []
}
