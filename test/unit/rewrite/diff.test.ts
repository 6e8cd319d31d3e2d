import {describe, expect, it} from 'vitest'

import {formatChangesAsDiff, shortestEditScript} from '../../../src/rewrite/diff.js'

const lines = (n: number, prefix = 'line') => Array.from({length: n}, (_, i) => `${prefix} ${i + 1}\n`).join('')

/** Applies a diff produced by formatChangesAsDiff, checking every context and removed line. */
function applyDiff(before: string, diff: string): string {
  if (diff === '') return before
  const source = before.split(/(?<=\n)/).filter((l) => l !== '')
  const rows = diff.split('\n').slice(2, -1)
  const out: string[] = []
  let at = 0
  for (let r = 0; r < rows.length; ) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(rows[r] as string)
    if (!header) throw new Error(`bad hunk header: ${rows[r]}`)
    const [oldStart, oldCount] = [Number(header[1]), Number(header[2])]
    const firstOld = oldCount === 0 ? oldStart : oldStart - 1
    while (at < firstOld) out.push(source[at++] as string)
    r++
    for (; r < rows.length && !(rows[r] as string).startsWith('@@'); r++) {
      const row = rows[r] as string
      const eol = rows[r + 1] === '\\ No newline at end of file' ? '' : '\n'
      if (row.startsWith('\\')) continue
      const kind = row[0]
      const line = row.slice(1) + eol
      if (kind !== '+') {
        expect(source[at]).toBe(line)
        at++
      }
      if (kind !== '-') out.push(line)
    }
  }
  while (at < source.length) out.push(source[at++] as string)
  return out.join('')
}

function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Array<number>(b.length + 1).fill(0)
  for (const x of a) {
    let diag = 0
    for (let j = 1; j <= b.length; j++) {
      const up = row[j] as number
      row[j] = x === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1] as number)
      diag = up
    }
  }
  return row[b.length] as number
}

describe('formatChangesAsDiff', () => {
  it('is empty when nothing changed', () => {
    expect(formatChangesAsDiff('openclaw.json', 'a\n', 'a\n')).toBe('')
  })

  it('shows one changed line with three lines of context', () => {
    const before = '{\n  // comment\n  "gateway": {"mode": "local"},\n  "agents": {\n    "workspace": "/Users/alice/ws",\n  },\n  "x": 1,\n  "y": 2,\n  "z": 3,\n}\n'
    const after = before.replace('/Users/alice/ws', '/home/alice/ws')
    expect(formatChangesAsDiff('openclaw.json', before, after)).toBe(
      [
        '--- a/openclaw.json',
        '+++ b/openclaw.json',
        '@@ -2,7 +2,7 @@',
        '   // comment',
        '   "gateway": {"mode": "local"},',
        '   "agents": {',
        '-    "workspace": "/Users/alice/ws",',
        '+    "workspace": "/home/alice/ws",',
        '   },',
        '   "x": 1,',
        '   "y": 2,',
        '',
      ].join('\n'),
    )
  })

  it('drops the leading slash of an absolute file name in the headers', () => {
    expect(formatChangesAsDiff('/Users/alice/.openclaw/openclaw.json', 'a\n', 'b\n').split('\n').slice(0, 3)).toEqual([
      '--- a/Users/alice/.openclaw/openclaw.json',
      '+++ b/Users/alice/.openclaw/openclaw.json',
      '@@ -1,1 +1,1 @@',
    ])
  })

  it('splits distant changes into hunks and merges close ones', () => {
    const before = lines(30)
    const after = before.replace('line 3\n', 'LINE 3\n').replace('line 9\n', 'LINE 9\n').replace('line 25\n', 'LINE 25\n')
    const diff = formatChangesAsDiff('f', before, after)
    expect(diff.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,12 +1,12 @@', '@@ -22,7 +22,7 @@'])
    expect(applyDiff(before, diff)).toBe(after)
  })

  it('merges hunks exactly when the gap is at most twice the context', () => {
    const base = lines(20)
    const at = (a: number, b: number) => base.replace(`line ${a}\n`, 'X\n').replace(`line ${b}\n`, 'Y\n')
    expect(formatChangesAsDiff('f', base, at(5, 12)).match(/^@@/gm)).toHaveLength(1) // 6 equal lines between
    expect(formatChangesAsDiff('f', base, at(5, 13)).match(/^@@/gm)).toHaveLength(2) // 7 equal lines between
  })

  it('uses the line before an empty range, like diff(1)', () => {
    expect(formatChangesAsDiff('f', '', 'a\nb\n')).toBe('--- a/f\n+++ b/f\n@@ -0,0 +1,2 @@\n+a\n+b\n')
    expect(formatChangesAsDiff('f', 'a\nb\n', '')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +0,0 @@\n-a\n-b\n')
    expect(formatChangesAsDiff('f', 'a\nb\n', 'a\nx\nb\n')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,3 @@\n a\n+x\n b\n')
  })

  it('marks a missing newline at the end of the file', () => {
    expect(formatChangesAsDiff('f', 'a\nb', 'a\nc')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n')
    expect(formatChangesAsDiff('f', 'a\nb', 'a\nb\n')).toBe('--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n')
  })

  it('round-trips random edits through a patch applier, with minimal edit scripts', () => {
    let seed = 42
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff)
    for (let round = 0; round < 300; round++) {
      const alphabet = ['a', 'b', 'c', 'd', '{', '}', '']
      const pick = () => `${alphabet[Math.floor(random() * alphabet.length)]}\n`
      const a = Array.from({length: Math.floor(random() * 25)}, pick)
      const b = a.flatMap((line) => (random() < 0.2 ? [] : random() < 0.2 ? [pick(), line] : random() < 0.1 ? [pick()] : [line]))
      if (random() < 0.3) b.push(pick())
      const before = a.join('') + (random() < 0.2 ? 'tail' : '')
      const after = b.join('') + (random() < 0.2 ? 'tail' : '')
      expect(applyDiff(before, formatChangesAsDiff('f', before, after))).toBe(after)
      const ops = shortestEditScript(a, b) ?? []
      expect(ops.filter((op) => op.kind === ' ').length).toBe(lcsLength(a, b))
      expect(ops.filter((op) => op.kind !== '+').map((op) => op.line)).toEqual(a)
      expect(ops.filter((op) => op.kind !== '-').map((op) => op.line)).toEqual(b)
    }
  })

  it('stays fast and small on a big file with a block of in-place changes', () => {
    const before = lines(50_000, '"sessionFile": "/Users/alice/.openclaw/agents/main/sessions/')
    const after = before.replace(/^(.*\/sessions\/ 1[0-9]{4}\n)/gm, (line) => line.replace('/Users/alice', '/home/alice'))
    const started = Date.now()
    const diff = formatChangesAsDiff('sessions.json', before, after)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(applyDiff(before, diff)).toBe(after)
    expect(diff.split('\n').filter((l) => l.startsWith('-')).length).toBe(1 + 10_000) // the --- header + changed lines
  })

  it('pairs lines in place when too many lines changed for an exact script', () => {
    // Every other line of a 20,000-line index changed: beyond the edit-distance cap.
    const before = lines(20_000, '/Users/alice/x')
    const after = before.replace(/^\/Users\/alice(\/x \d*[13579]\n)/gm, '/home/alice$1')
    const started = Date.now()
    const diff = formatChangesAsDiff('f', before, after)
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(applyDiff(before, diff)).toBe(after)
    expect(diff.split('\n').filter((l) => l.startsWith('+')).length).toBe(1 + 10_000)
    expect(diff.split('\n')[2]).toBe('@@ -1,20000 +1,20000 @@')
  })

  it('falls back to remove-and-add when the files have too little in common', () => {
    const before = lines(3_000, 'old')
    const after = lines(2_999, 'new')
    expect(shortestEditScript(before.split(/(?<=\n)/), after.split(/(?<=\n)/), 100)).toBeUndefined()
    const diff = formatChangesAsDiff('f', before, after)
    expect(diff.split('\n')[2]).toBe('@@ -1,3000 +1,2999 @@')
    expect(applyDiff(before, diff)).toBe(after)
  })
})
