import {describe, expect, it} from 'vitest'

import {createProgressBar, formatDuration} from '../../../src/output/progress.js'

describe('progress bar', () => {
  it('prints a line per 10 % without a terminal, with rate and ETA, and a final summary', () => {
    let t = 0
    const lines: string[] = []
    const bar = createProgressBar('state dir', 100 * 1024 * 1024, {write: (s) => lines.push(s), tty: false, now: () => t})
    for (let mb = 5; mb <= 100; mb += 5) {
      t += 500
      bar.update(mb * 1024 * 1024)
    }
    bar.done()
    expect(lines).toHaveLength(10)
    expect(lines[0]).toMatch(/^state dir \[##---+\]\s+10% 10\.0 MiB\/100 MiB 10\.0 MiB\/s ETA 9s\n$/)
    expect(lines.at(-1)).toMatch(/100% 100 MiB\/100 MiB 10\.0 MiB\/s in 10\.0 s\n$/)
  })

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(7300), formatDuration(Number.NaN)]).toEqual(['5s', '2m05s', '2h01m', '--'])
  })
})
