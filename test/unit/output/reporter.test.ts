import {describe, expect, it} from 'vitest'

import {createStderrReporter} from '../../../src/output/reporter.js'

describe('stderr reporter', () => {
  it('clears a bar drawn on a terminal before a warning, so the two never share a line', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: false, quiet: false, tty: true, columns: () => 80, env: {NO_COLOR: '1'}, write: (s) => (out += s)})
    const bar = reporter.progress('state dir', 1000)
    bar.update(500)
    reporter.warn('slow link')
    bar.done()
    reporter.step('next')
    const shown = out.split('\n')
    // The warning's line starts by erasing the bar; the final bar and the step each get their own line.
    expect(shown[0]).toMatch(/^\r\u001B\[Kstate dir \[.*\]  50% .*\r\u001B\[Kwarning: slow link$/)
    expect(shown[1]).toMatch(/^\r\u001B\[Kstate dir \[#+\] 100% 1000 B\/1000 B /)
    expect(shown[2]).toContain('next')
  })

  it('writes no escape code under NO_COLOR, on a terminal too (the step marker and debug lines were dimmed)', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: true, quiet: false, tty: true, env: {NO_COLOR: '1'}, write: (s) => (out += s)})
    reporter.step('Probing local')
    reporter.warn('slow link')
    reporter.debug('$ tar -c')
    expect(out).toBe('› Probing local\nwarning: slow link\n$ tar -c\n')
  })

  it('dims steps and debug lines and colours warnings yellow on a terminal', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: true, quiet: false, tty: true, env: {}, write: (s) => (out += s)})
    reporter.step('Probing local')
    reporter.warn('slow link')
    reporter.debug('$ tar -c')
    expect(out).toBe('\u001B[2m›\u001B[22m Probing local\n\u001B[33mwarning:\u001B[39m slow link\n\u001B[2m$ tar -c\u001B[22m\n')
  })

  it('writes no escape code into a pipe', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: true, quiet: false, tty: false, env: {}, write: (s) => (out += s)})
    reporter.step('Probing local')
    reporter.warn('slow link')
    expect(out).not.toContain('\u001B')
  })

  it('quiet (--quiet, --json): no step and no progress line, on a terminal or a pipe, but every warning', () => {
    for (const tty of [true, false]) {
      let out = ''
      const reporter = createStderrReporter({verbose: false, quiet: true, tty, columns: () => 80, env: {NO_COLOR: '1'}, write: (s) => (out += s)})
      reporter.step('Probing local')
      const bar = reporter.progress('state dir', 1000)
      bar.update(500)
      reporter.warn('the source gateway is running: it will be stopped before the final copy')
      bar.update(1000)
      bar.done()
      reporter.debug('$ tar -c')
      expect(out).toBe('warning: the source gateway is running: it will be stopped before the final copy\n')
    }
  })

  it('quiet with --verbose still shows the commands run (asked for by name)', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: true, quiet: true, tty: false, env: {}, write: (s) => (out += s)})
    reporter.step('Probing local')
    reporter.debug('$ tar -c')
    expect(out).toBe('$ tar -c\n')
  })
})
