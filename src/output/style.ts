import picocolors from 'picocolors'

/** The few environment variables that decide about colour. */
export interface StyleEnv {
  NO_COLOR?: string | undefined
  FORCE_COLOR?: string | undefined
  NODE_DISABLE_COLORS?: string | undefined
  TERM?: string | undefined
}

/** Escape-code helpers (picocolors): each one returns its text unchanged when colour is off. */
export type Style = ReturnType<typeof picocolors.createColors>

/**
 * Whether escape codes go to a stream. NO_COLOR with any non-empty value (no-color.org) turns them
 * off, whatever else is set: a user who asks for none gets none. FORCE_COLOR turns them on, even
 * into a pipe (except `0` or `false`). Otherwise only a terminal that is not `dumb` gets them.
 */
export function colourEnabled(stream: {isTTY?: boolean}, env: StyleEnv = process.env): boolean {
  if (env.NO_COLOR) return false
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR)
  if (env.NODE_DISABLE_COLORS) return false
  return stream.isTTY === true && env.TERM !== 'dumb'
}

/** The escape-code helpers for one stream (stdout and stderr can differ: `ocvm … 2>log`). */
export function styleFor(stream: {isTTY?: boolean}, env: StyleEnv = process.env): Style {
  return picocolors.createColors(colourEnabled(stream, env))
}

/**
 * Colours the severity marks of rendered text: ERROR, FAIL, FAILED and `Error:` red; WARN and
 * `warning:` yellow. Only the mark: the text around it stays readable, and table columns stay put
 * (escape codes take no cells). Uppercase whole words only, as the views and reports write them.
 */
export function markSeverity(text: string, style: Style): string {
  if (!style.isColorSupported) return text
  return text
    .replace(/\b(ERROR|FAILED|FAIL)\b/g, (m) => style.red(m))
    .replace(/\bWARN\b/g, (m) => style.yellow(m))
    .replace(/^Error:/gm, (m) => style.red(m))
    .replace(/^warning:/gm, (m) => style.yellow(m))
}
