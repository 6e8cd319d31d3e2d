const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/**
 * A size for people: whole bytes below 1 KiB, then binary units with 3 significant figures at most
 * (`946 B`, `12.3 MiB`, `101 GiB`). A value that rounds up to 1024 of a unit is shown in the next.
 */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '--'
  let value = Math.max(bytes, 0)
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  let text = value.toFixed(unit === 0 || value >= 99.95 ? 0 : 1)
  if (Number(text) >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
    text = value.toFixed(1)
  }
  return `${text} ${UNITS[unit]}`
}

/** A transfer rate: a size per second (`946 B/s`, `12.3 MiB/s`). */
export function formatRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`
}

/** A plain left-aligned text table; the last column may be long. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}
