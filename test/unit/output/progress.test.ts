import {describe, expect, it} from 'vitest'

import stringWidth from 'string-width'

import {createProgressBar, fitLine, formatDuration} from '../../../src/output/progress.js'

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

  it('shows a slow rate in whole bytes per second', () => {
    let t = 0
    const lines: string[] = []
    const bar = createProgressBar('config', 3500, {write: (s) => lines.push(s), tty: false, now: () => t})
    t = 3700
    bar.update(3500)
    bar.done()
    expect(lines.at(-1)).toBe('config [########################] 100% 3.4 KiB/3.4 KiB 946 B/s in 3.7 s\n')
  })

  it('redraws on a terminal within its width: at 60 columns no line wraps', () => {
    let t = 0
    const writes: string[] = []
    const label = '/home/alice/research-ws/search/a-long-directory-name/with-files'
    const bar = createProgressBar(label, 500 * 1024 * 1024, {write: (s) => writes.push(s), tty: true, now: () => t, columns: () => 60})
    for (let mb = 50; mb <= 500; mb += 50) {
      t += 1000
      bar.update(mb * 1024 * 1024)
    }
    bar.done()
    expect(writes.length).toBe(11)
    for (const w of writes) {
      expect(w.startsWith('\r\u001B[K')).toBe(true)
      const line = w.slice(4).replace(/\n$/, '')
      expect(stringWidth(line)).toBeLessThanOrEqual(59)
      expect(line).not.toContain('\n')
    }
    // The numbers stay whole; the label gives way, cut in the middle.
    expect(writes[0]).toMatch(/^\r\u001B\[K\/home\/ali…ith-files  10% 50\.0 MiB\/500 MiB 50\.0 MiB\/s ETA 9s$/)
    expect(writes.at(-1)).toMatch(/100% 500 MiB\/500 MiB 50\.0 MiB\/s in 10\.0 s\n$/)
  })

  it('formats durations', () => {
    expect([formatDuration(5), formatDuration(125), formatDuration(7300), formatDuration(Number.NaN)]).toEqual(['5s', '2m05s', '2h01m', '--'])
  })
})

describe('fitLine', () => {
  const tail = ' 42% 4.2 MiB/10.0 MiB 1.0 MiB/s ETA 6s'

  it('keeps the full bar when the terminal is wide, or unknown', () => {
    expect(fitLine('state dir', 0.5, tail, 120)).toBe(`state dir [############------------]${tail}`)
    expect(fitLine('state dir', 0.5, tail, undefined)).toBe(`state dir [############------------]${tail}`)
  })

  it('narrows the bar first, then drops it, then cuts the label in the middle', () => {
    const narrow = fitLine('state dir', 0.5, tail, 70)
    expect(narrow).toMatch(/^state dir \[#{10}-{9}\] 42%/)
    expect(narrow.length).toBe(69)
    expect(fitLine('state dir', 0.5, tail, 55)).toBe(`state dir${tail}`)
    const cut = fitLine('/home/alice/.openclaw/workspace', 0.5, tail, 52)
    expect(cut).toMatch(/^\/home\/…kspace 42% /)
    expect(stringWidth(cut)).toBe(51)
  })

  it('counts wide characters by the cells they take', () => {
    const line = fitLine('工作区/会话记录/很长的目录名称', 0.5, tail, 60)
    expect(stringWidth(line)).toBeLessThanOrEqual(59)
    expect(line.endsWith(tail)).toBe(true)
  })

  it('cuts the line itself on a very narrow terminal', () => {
    const line = fitLine('state dir', 0.5, tail, 20)
    expect(stringWidth(line)).toBe(19)
    expect(line.endsWith('…')).toBe(true)
  })
})
