import cliTruncate from 'cli-truncate'
import stringWidth from 'string-width'

import {formatBytes, formatRate} from './format.js'

export interface ProgressSink {
  update(done: number): void
  done(): void
}

export interface ProgressOptions {
  write: (text: string) => void
  tty: boolean
  now?: () => number
  /** The terminal's width now (it can change between redraws); undefined: no limit. */
  columns?: () => number | undefined
}

const BAR_WIDTH = 24
const MIN_BAR_WIDTH = 8

/**
 * A progress bar with rate and ETA for long transfers. On a terminal it redraws one line, never
 * wider than the terminal (a line that wraps leaves its first part behind on every redraw); when
 * stderr is not a terminal it prints a line every 10 %, so logs stay readable.
 */
export function createProgressBar(label: string, total: number, options: ProgressOptions): ProgressSink {
  const now = options.now ?? Date.now
  const started = now()
  let lastDraw = 0
  let lastDecile = -1
  let current = 0
  const render = (final: boolean): string => {
    const elapsed = Math.max((now() - started) / 1000, 0.001)
    const rate = current / elapsed
    const fraction = total > 0 ? Math.min(current / total, 1) : 1
    const eta = rate > 0 && !final ? Math.max((total - current) / rate, 0) : 0
    const tail = ` ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(current)}/${formatBytes(total)} ${formatRate(rate)}${final ? ` in ${elapsed.toFixed(1)} s` : ` ETA ${formatDuration(eta)}`}`
    return fitLine(label, fraction, tail, options.tty ? options.columns?.() : undefined)
  }
  return {
    update(done) {
      current = done
      if (options.tty) {
        if (now() - lastDraw < 100) return
        lastDraw = now()
        options.write(`\r\u001B[K${render(false)}`)
      } else {
        const decile = total > 0 ? Math.floor((current / total) * 10) : 10
        if (decile > lastDecile && decile > 0 && decile < 10) {
          lastDecile = decile
          options.write(`${render(false)}\n`)
        }
      }
    },
    done() {
      current = Math.max(current, total)
      options.write(`${options.tty ? '\r\u001B[K' : ''}${render(true)}\n`)
    },
  }
}

/**
 * `label [####----] tail` in at most `columns - 1` cells (the last column would wrap on some
 * terminals). What gives way first: the bar narrows, then goes; then the label is cut in the middle
 * (a path keeps its start and its file name); the numbers stay whole as long as they fit at all.
 */
export function fitLine(label: string, fraction: number, tail: string, columns: number | undefined): string {
  const bar = (width: number) => {
    const filled = Math.round(fraction * width)
    return ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
  }
  if (columns === undefined || columns <= 0) return `${label}${bar(BAR_WIDTH)}${tail}`
  const max = Math.max(columns - 1, 1)
  const barWidth = Math.min(BAR_WIDTH, max - stringWidth(label) - tail.length - 3)
  if (barWidth >= MIN_BAR_WIDTH) return `${label}${bar(barWidth)}${tail}`
  const labelRoom = max - tail.length
  if (labelRoom >= MIN_BAR_WIDTH) return `${truncate(label, labelRoom, 'middle')}${tail}`
  return truncate(`${label}${tail}`, max, 'end')
}

/** cliTruncate, held to `width` cells: cutting wide characters in the middle can come out one cell over. */
function truncate(text: string, width: number, position: 'middle' | 'end'): string {
  let target = width
  let cut = cliTruncate(text, target, {position})
  while (stringWidth(cut) > width && target > 1) cut = cliTruncate(text, --target, {position})
  return cut
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
