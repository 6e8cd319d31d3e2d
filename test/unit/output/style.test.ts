import {describe, expect, it} from 'vitest'

import {colourEnabled, markSeverity, styleFor} from '../../../src/output/style.js'

const tty = {isTTY: true}
const pipe = {isTTY: false}

describe('colourEnabled', () => {
  it('colours a terminal, not a pipe, not a dumb terminal', () => {
    expect(colourEnabled(tty, {})).toBe(true)
    expect(colourEnabled(pipe, {})).toBe(false)
    expect(colourEnabled(tty, {TERM: 'dumb'})).toBe(false)
  })

  it('NO_COLOR with any non-empty value turns colour off, even with FORCE_COLOR', () => {
    expect(colourEnabled(tty, {NO_COLOR: '1'})).toBe(false)
    expect(colourEnabled(tty, {NO_COLOR: 'false'})).toBe(false)
    expect(colourEnabled(tty, {NO_COLOR: '1', FORCE_COLOR: '1'})).toBe(false)
    expect(colourEnabled(tty, {NO_COLOR: ''})).toBe(true)
  })

  it('FORCE_COLOR turns colour on into a pipe, except 0 and false', () => {
    expect(colourEnabled(pipe, {FORCE_COLOR: '1'})).toBe(true)
    expect(colourEnabled(pipe, {FORCE_COLOR: ''})).toBe(true)
    expect(colourEnabled(tty, {FORCE_COLOR: '0'})).toBe(false)
    expect(colourEnabled(tty, {FORCE_COLOR: 'false'})).toBe(false)
  })

  it('NODE_DISABLE_COLORS turns colour off', () => {
    expect(colourEnabled(tty, {NODE_DISABLE_COLORS: '1'})).toBe(false)
  })
})

describe('markSeverity', () => {
  const text = 'Findings:\n  ERROR BRAVE_API_KEY is empty\n  WARN  placeholder\nopenclaw   FAIL    not found\nwarning: slow\nError: no deployment\nHint: WARNING and FAILURES stay plain'

  it('colours ERROR/FAIL red and WARN yellow, on a terminal', () => {
    const out = markSeverity(text, styleFor(tty, {}))
    expect(out).toContain('  \u001B[31mERROR\u001B[39m BRAVE_API_KEY is empty')
    expect(out).toContain('  \u001B[33mWARN\u001B[39m  placeholder')
    expect(out).toContain('openclaw   \u001B[31mFAIL\u001B[39m    not found')
    expect(out).toContain('\u001B[33mwarning:\u001B[39m slow')
    expect(out).toContain('\u001B[31mError:\u001B[39m no deployment')
    expect(out).toContain('\nHint: WARNING and FAILURES stay plain')
  })

  it('changes nothing when colour is off', () => {
    expect(markSeverity(text, styleFor(tty, {NO_COLOR: '1'}))).toBe(text)
    expect(markSeverity(text, styleFor(pipe, {}))).toBe(text)
  })
})
