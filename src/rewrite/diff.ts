// Unified-diff text of a file rewrite, for `--dry-run` displays. Line based: the files are
// configs and session indexes, and a path rewrite changes lines in place.
//
// The edit script is a shortest one (Myers' O(ND) algorithm, which finds a longest common
// subsequence) after trimming the common start and end. Work is capped: when the two middles
// differ by more than MAX_EDIT_DISTANCE lines, or are very long, a cheaper script is used
// (see fallbackScript), which is still a correct diff, just not always a minimal one.

const CONTEXT_LINES = 3
const MAX_EDIT_DISTANCE = 2_000
const MAX_MIDDLE_LINES = 100_000

/** One line of an edit script: kept (' '), removed ('-') or added ('+'), with its newline. */
export interface DiffOp {
  kind: ' ' | '-' | '+'
  line: string
}

type Op = DiffOp

/**
 * `--- a/file` / `+++ b/file` headers and `@@ -l,n +l,n @@` hunks with 3 lines of context.
 * Empty when nothing changed. Ends with a newline.
 */
export function formatChangesAsDiff(file: string, before: string, after: string, context = CONTEXT_LINES): string {
  if (before === after) return ''
  const ops = diffLines(splitLines(before), splitLines(after))
  const name = file.replace(/^\/+/, '')
  const out = [`--- a/${name}`, `+++ b/${name}`]
  for (const [start, end] of hunkRanges(ops, context)) {
    let oldBefore = 0
    let newBefore = 0
    for (const op of ops.slice(0, start)) {
      if (op.kind !== '+') oldBefore++
      if (op.kind !== '-') newBefore++
    }
    const hunk = ops.slice(start, end)
    const oldCount = hunk.filter((op) => op.kind !== '+').length
    const newCount = hunk.filter((op) => op.kind !== '-').length
    // An empty range names the line before it (diff(1)'s convention: @@ -0,0 +1,2 @@).
    out.push(`@@ -${oldCount === 0 ? oldBefore : oldBefore + 1},${oldCount} +${newCount === 0 ? newBefore : newBefore + 1},${newCount} @@`)
    for (const op of hunk) {
      if (op.line.endsWith('\n')) out.push(op.kind + op.line.slice(0, -1))
      else out.push(op.kind + op.line, '\\ No newline at end of file')
    }
  }
  return `${out.join('\n')}\n`
}

/** Lines with their terminator, so a missing final newline is a difference too. */
function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/)
  return lines[lines.length - 1] === '' ? lines.slice(0, -1) : lines
}

/** Index ranges [start, end) of ops to show: every change plus `context` equal lines around it. */
function hunkRanges(ops: readonly Op[], context: number): [number, number][] {
  const ranges: [number, number][] = []
  for (let i = 0; i < ops.length; i++) {
    if (ops[i]?.kind === ' ') continue
    const start = Math.max(0, i - context)
    let end = i + 1
    // Extend over further changes whose context would touch or overlap this hunk's.
    for (let j = end; j < ops.length && j <= end + 2 * context; j++) if (ops[j]?.kind !== ' ') end = j + 1
    ranges.push([start, Math.min(ops.length, end + context)])
    i = end - 1
  }
  return ranges
}

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0
  while (head < a.length && head < b.length && a[head] === b[head]) head++
  let tail = 0
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++
  const midA = a.slice(head, a.length - tail)
  const midB = b.slice(head, b.length - tail)
  const middle = (midA.length + midB.length <= MAX_MIDDLE_LINES ? shortestEditScript(midA, midB, MAX_EDIT_DISTANCE) : undefined) ?? fallbackScript(midA, midB)
  return [
    ...a.slice(0, head).map((line): Op => ({kind: ' ', line})),
    ...middle,
    ...a.slice(a.length - tail).map((line): Op => ({kind: ' ', line})),
  ]
}

/**
 * When the exact script is too expensive. A path rewrite changes lines in place, so equal line
 * counts are paired line by line (a valid script, and the natural one here); otherwise
 * everything is removed and added.
 */
function fallbackScript(a: readonly string[], b: readonly string[]): Op[] {
  if (a.length !== b.length) return [...a.map((line): Op => ({kind: '-', line})), ...b.map((line): Op => ({kind: '+', line}))]
  return a.flatMap((line, i): Op[] => {
    const other = b[i] as string
    return line === other ? [{kind: ' ', line}] : [{kind: '-', line}, {kind: '+', line: other}]
  })
}

/**
 * Myers' greedy shortest edit script, or undefined when it needs more than `maxD` inserts plus
 * deletes. Keeps the frontier of each round (O(D²) memory) to walk the path back.
 */
export function shortestEditScript(a: readonly string[], b: readonly string[], maxD = MAX_EDIT_DISTANCE): Op[] | undefined {
  const n = a.length
  const m = b.length
  const limit = Math.min(n + m, maxD)
  const offset = limit + 1
  const v = new Int32Array(2 * limit + 3)
  // rounds[d] = the frontier before round d, for diagonals -d..d (index k + d).
  const rounds: Int32Array[] = []
  let found = -1
  for (let d = 0; d <= limit && found < 0; d++) {
    rounds.push(v.slice(offset - d, offset + d + 1))
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number)) ? (v[offset + k + 1] as number) : (v[offset + k - 1] as number) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        found = d
        break
      }
    }
  }
  if (found < 0) return undefined

  const ops: Op[] = []
  let x = n
  let y = m
  for (let d = found; d > 0; d--) {
    const prev = rounds[d] as Int32Array
    const at = (k: number): number => prev[k + d] as number
    const k = x - y
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
    const prevX = at(prevK)
    const prevY = prevX - prevK
    for (; x > prevX && y > prevY; x--, y--) ops.push({kind: ' ', line: a[x - 1] as string})
    if (x === prevX) ops.push({kind: '+', line: b[--y] as string})
    else ops.push({kind: '-', line: a[--x] as string})
  }
  for (; x > 0 && y > 0; x--, y--) ops.push({kind: ' ', line: a[x - 1] as string})
  return ops.reverse()
}
