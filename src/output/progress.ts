import {formatBytes} from './format.js'

export interface ProgressSink {
  update(done: number): void
  done(): void
}

/**
 * A progress bar with rate and ETA for long transfers. On a terminal it redraws one line; when
 * stderr is not a terminal it prints a line every 10 %, so logs stay readable.
 */
export function createProgressBar(label: string, total: number, options: {write: (text: string) => void; tty: boolean; now?: () => number}): ProgressSink {
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
    const width = 24
    const filled = Math.round(fraction * width)
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`
    return `${label} ${bar} ${(fraction * 100).toFixed(0).padStart(3)}% ${formatBytes(current)}/${formatBytes(total)} ${formatBytes(rate)}/s${final ? ` in ${elapsed.toFixed(1)} s` : ` ETA ${formatDuration(eta)}`}`
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

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--'
  const s = Math.round(seconds)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
}
