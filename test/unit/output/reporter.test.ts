import {describe, expect, it} from 'vitest'

import {createStderrReporter} from '../../../src/output/reporter.js'

describe('stderr reporter', () => {
  it('clears a bar drawn on a terminal before a warning, so the two never share a line', () => {
    let out = ''
    const reporter = createStderrReporter({verbose: false, quiet: false, tty: true, columns: () => 80, write: (s) => (out += s)})
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
})
