import JSON5 from 'json5'
import {describe, expect, it, vi} from 'vitest'

import {
  encodeStringContent,
  Json5SyntaxError,
  keyPathToString,
  rewriteJson5Strings,
  scanJson5Strings,
  type StringRewriter,
} from '../../../src/rewrite/json5-rewrite.js'
import {PathMap} from '../../../src/rewrite/path-map.js'

const keep: StringRewriter = () => undefined
const upper: StringRewriter = (value) => value.toUpperCase()

/** Maps the parsed tree the way rewriteJson5Strings should have mapped the text. */
function mapTree(node: unknown, rewrite: StringRewriter, path: (string | number)[] = []): unknown {
  if (typeof node === 'string') return rewrite(node, keyPathToString(path), path) ?? node
  if (Array.isArray(node)) return node.map((item, i) => mapTree(item, rewrite, [...path, i]))
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, mapTree(v, rewrite, [...path, k])]))
  }
  return node
}

/** Changes the parsed tree implies, in document order (test documents have no integer-like keys). */
function expectedChanges(node: unknown, rewrite: StringRewriter, path: (string | number)[] = []): {key: string; from: string; to: string}[] {
  if (typeof node === 'string') {
    const key = keyPathToString(path)
    const to = rewrite(node, key, path)
    return to === undefined || to === node ? [] : [{key, from: node, to}]
  }
  if (Array.isArray(node)) return node.flatMap((item, i) => expectedChanges(item, rewrite, [...path, i]))
  if (node !== null && typeof node === 'object') return Object.entries(node).flatMap(([k, v]) => expectedChanges(v, rewrite, [...path, k]))
  return []
}

function expectRewriteMatchesParse(input: string, rewrite: StringRewriter): string {
  const result = rewriteJson5Strings(input, rewrite)
  expect(JSON5.parse(result.text)).toEqual(mapTree(JSON5.parse(input), rewrite))
  expect(result.changes).toEqual(expectedChanges(JSON5.parse(input), rewrite))
  return result.text
}

describe('rewriteJson5Strings: formatting is kept', () => {
  const commented = `// OpenClaw config, hand-edited
{
  /* the main agent */
  agents: {
    defaults: {workspace: '/Users/alice/.openclaw/workspace', }, // trailing comma
    list: [
      {id: "main", workspace: "/Users/alice/ws//main"},   // "//" inside a string is not a comment
      {id: 'ops', note: "/* not a comment */ /Users/alice"},
    ],
  },
  "quoted key": 'x',
  $include: "./extra.json5",
  n: [+1, .5, 5., 0x1F, -0X1f, Infinity, -Infinity, NaN, 1e3, true, false, null],
}
`

  it('returns the text byte-for-byte when nothing changes', () => {
    expect(rewriteJson5Strings(commented, keep)).toEqual({text: commented, changes: []})
    expect(rewriteJson5Strings(commented, (value) => value).text).toBe(commented)
  })

  it('changes only the string literals and reports each change with its key path', () => {
    const map = new PathMap([{from: '/Users/alice', to: '/home/openclaw'}])
    const result = rewriteJson5Strings(commented, (value) => map.mapPath(value))
    expect(result.text).toBe(
      commented
        .replace("'/Users/alice/.openclaw/workspace'", "'/home/openclaw/.openclaw/workspace'")
        .replace('"/Users/alice/ws//main"', '"/home/openclaw/ws//main"'),
    )
    expect(result.changes).toEqual([
      {key: 'agents.defaults.workspace', from: '/Users/alice/.openclaw/workspace', to: '/home/openclaw/.openclaw/workspace'},
      {key: 'agents.list[0].workspace', from: '/Users/alice/ws//main', to: '/home/openclaw/ws//main'},
    ])
  })

  it('gives every string value its key path, and never offers object keys', () => {
    const seen: string[] = []
    rewriteJson5Strings(commented, (value, key) => void seen.push(`${key}=${value}`))
    expect(seen).toEqual([
      'agents.defaults.workspace=/Users/alice/.openclaw/workspace',
      'agents.list[0].id=main',
      'agents.list[0].workspace=/Users/alice/ws//main',
      'agents.list[1].id=ops',
      'agents.list[1].note=/* not a comment */ /Users/alice',
      'quoted key=x',
      '$include=./extra.json5',
    ])
  })

  it('never rewrites keys, even path-looking ones', () => {
    const text = `{"/Users/alice/x": "/Users/alice/y", '/Users/alice': ['/Users/alice']}`
    expect(rewriteJson5Strings(text, (v) => v.replace('/Users/alice', '/h')).text).toBe(`{"/Users/alice/x": "/h/y", '/Users/alice': ['/h']}`)
  })

  it('passes key path segments so dotted keys are not ambiguous', () => {
    const paths: unknown[] = []
    rewriteJson5Strings(`{"a.b": {c: ["x", ["y"]]}}`, (_v, key, path) => void paths.push([key, path]))
    expect(paths).toEqual([
      ['a.b.c[0]', ['a.b', 'c', 0]],
      ['a.b.c[1][0]', ['a.b', 'c', 1, 0]],
    ])
  })

  it('handles a top-level string, array and empty containers', () => {
    expect(rewriteJson5Strings(`  'a' // c`, upper)).toEqual({text: `  'A' // c`, changes: [{key: '', from: 'a', to: 'A'}]})
    expect(rewriteJson5Strings(`["a", ["b"], {}, []]`, upper).text).toBe(`["A", ["B"], {}, []]`)
    expect(rewriteJson5Strings(`{}`, upper).text).toBe(`{}`)
  })

  it('keeps CRLF line endings, tabs, BOM and odd whitespace', () => {
    const text = '\ufeff{\r\n\t"a":\u00a0"x",\u2003b: \'y\'\r\n}\r\n'
    expect(rewriteJson5Strings(text, upper).text).toBe('\ufeff{\r\n\t"a":\u00a0"X",\u2003b: \'Y\'\r\n}\r\n')
  })

  it('keeps $include values unless the callback changes them', () => {
    const text = `{agents: {$include: "./agents.json5"}, channels: {$include: ['./a.json5', "/Users/alice/.openclaw/b.json5"]}}`
    const map = new PathMap([{from: '/Users/alice', to: '/home/o'}])
    const result = rewriteJson5Strings(text, (value) => map.mapPath(value))
    expect(result.text).toBe(`{agents: {$include: "./agents.json5"}, channels: {$include: ['./a.json5', "/home/o/.openclaw/b.json5"]}}`)
    expect(result.changes.map((c) => c.key)).toEqual(['channels.$include[1]'])
  })

  it('leaves unicode-escaped identifiers as written', () => {
    const text = `{\\u0061b: "x", caf\u00e9: 'y', $_1: "z"}`
    expect(JSON5.parse(text)).toEqual({ab: 'x', café: 'y', $_1: 'z'})
    const seen: string[] = []
    const result = rewriteJson5Strings(text, (v, key) => (seen.push(key), v.toUpperCase()))
    expect(seen).toEqual(['ab', 'café', '$_1'])
    expect(result.text).toBe(`{\\u0061b: "X", caf\u00e9: 'Y', $_1: "Z"}`)
  })
})

describe('rewriteJson5Strings: encoding new values', () => {
  it.each([
    // [input literal, new value, expected literal]
    [`'a'`, `it's`, `'it\\'s'`],
    [`"a"`, `it's`, `"it's"`],
    [`"a"`, `say "hi"`, `"say \\"hi\\""`],
    [`'a'`, `say "hi"`, `'say "hi"'`],
    [`"a"`, 'C:\\dir', `"C:\\\\dir"`],
    [`'a'`, 'two\nlines\r\n', `'two\\nlines\\r\\n'`],
    [`"a"`, 'tab\there', `"tab\\there"`],
    [`"a"`, '\b\f\v\0\u001f\u007f', `"\\b\\f\\u000b\\u0000\\u001f\u007f"`],
    [`"a"`, 'x\u2028y\u2029', `"x\\u2028y\\u2029"`],
    [`"a"`, 'café 😀 日本', `"café 😀 日本"`],
    [`"a"`, 'lone \ud800 high', `"lone \\ud800 high"`],
    [`"a"`, 'lone \udc00 low', `"lone \\udc00 low"`],
    [`'a'`, '/x//y', `'/x//y'`],
  ])('%s -> %j', (literal, next, expected) => {
    const result = rewriteJson5Strings(`{k: ${literal}}`, () => next)
    expect(result.text).toBe(`{k: ${expected}}`)
    expect(JSON5.parse(result.text)).toEqual({k: next})
  })

  it('keeps double-quoted output valid plain JSON', () => {
    const text = JSON.stringify({a: 'x', b: ['y']}, null, 2)
    const weird = 'q"\'\\\n\r\t\b\f\v\0\u0001\u2028\ud800😀é/'
    const result = rewriteJson5Strings(text, () => weird)
    expect(JSON.parse(result.text)).toEqual({a: weird, b: [weird]})
  })

  it('copies the untouched start and end of a changed literal as written', () => {
    const map = new PathMap([{from: '/Users/alice', to: '/home/openclaw'}])
    const rewrite: StringRewriter = (value) => map.mapPath(value)
    // An escape in the kept tail survives.
    expect(rewriteJson5Strings(`{k: "/Users/alice/caf\\u00e9"}`, rewrite).text).toBe(`{k: "/home/openclaw/caf\\u00e9"}`)
    expect(rewriteJson5Strings(`{k: '/Users/alice/a\\x41'}`, rewrite).text).toBe(`{k: '/home/openclaw/a\\x41'}`)
    // A line continuation in the kept tail survives too.
    expect(rewriteJson5Strings(`{k: "/Users/alice/long\\\n/path"}`, rewrite).text).toBe(`{k: "/home/openclaw/long\\\n/path"}`)
    // ...and one in the replaced middle is dropped, which is fine: the value is what matters.
    expect(rewriteJson5Strings(`{k: "/Users/ali\\\nce/x"}`, rewrite).text).toBe(`{k: "/home/openclaw/x"}`)
  })

  it('follows the literal\'s style for slashes and non-ASCII', () => {
    const map = new PathMap([{from: '/Users/alice', to: '/home/z\u00fcrich/o'}])
    const rewrite: StringRewriter = (value) => map.mapPath(value)
    expect(rewriteJson5Strings(`["\\/Users\\/alice\\/x"]`, rewrite).text).toBe(`["\\/home\\/z\u00fcrich\\/o\\/x"]`)
    expect(rewriteJson5Strings(`["/Users/alice/\\u00e9"]`, rewrite).text).toBe(`["/home/z\\u00fcrich/o/\\u00e9"]`)
    expect(rewriteJson5Strings(`["/Users/alice/\u00e9"]`, rewrite).text).toBe(`["/home/z\u00fcrich/o/\u00e9"]`)
  })

  it('does not split surrogate pairs or leave a \\0 before a new digit', () => {
    // (escaped in, escaped out: the literal was written ASCII-only)
    expect(rewriteJson5Strings(`["\\ud83d\\ude00a"]`, () => '\ud83d\ude01a').text).toBe(`["\\ud83d\\ude01a"]`)
    expect(rewriteJson5Strings(`["x\\ud83d\\ude00a"]`, () => 'x\ud83d\ude01a').text).toBe(`["x\\ud83d\\ude01a"]`)
    expect(rewriteJson5Strings(`["😀a"]`, () => '😁a').text).toBe(`["😁a"]`)
    const nul = rewriteJson5Strings(`["\\0x1"]`, () => '\u00001')
    expect(JSON5.parse(nul.text)).toEqual(['\u00001'])
  })

  it('treats a rewrite to the same value as no change', () => {
    expect(rewriteJson5Strings(`{a: "\\u0041"}`, () => 'A')).toEqual({text: `{a: "\\u0041"}`, changes: []})
  })
})

describe('encodeStringContent', () => {
  it('escapes only what the quote needs', () => {
    expect(encodeStringContent(`'"`, "'")).toBe(`\\'"`)
    expect(encodeStringContent(`'"`, '"')).toBe(`'\\"`)
    expect(encodeStringContent('é😀/', '"', {asciiOnly: true, escapeSlash: true})).toBe('\\u00e9\\ud83d\\ude00\\/')
  })
})

describe('rewriteJson5Strings: invalid JSON5', () => {
  it.each([
    '',
    '   // only a comment',
    '{',
    '{a: 1',
    '{a 1}',
    '{a: 1 b: 2}',
    '{,}',
    '[,]',
    '[1,,]',
    '{a-b: 1}',
    '{1a: 1}',
    '{\\u0031: 1}',
    '"unterminated',
    "'a\nb'",
    '"\\1"',
    '"\\01"',
    '"\\x4"',
    '"\\u12"',
    '01',
    '0x',
    '1e',
    '.e1',
    '.',
    '+',
    '- 1',
    'nul',
    'nulll',
    'True',
    'undefined',
    '1 2',
    '{} x',
    '/* open',
    '1 /',
    '{a: /x/}',
  ])('%j is rejected like JSON5.parse rejects it', (text) => {
    expect(() => JSON5.parse(text)).toThrow()
    expect(() => rewriteJson5Strings(text, keep)).toThrow(Json5SyntaxError)
  })

  it('reports line and column', () => {
    const error = (() => {
      try {
        rewriteJson5Strings('{\n  a: 1,\n  b: @\n}', keep)
      } catch (e) {
        return e
      }
    })() as Json5SyntaxError
    expect(error).toBeInstanceOf(Json5SyntaxError)
    expect(error).toBeInstanceOf(SyntaxError)
    expect([error.line, error.column]).toEqual([3, 6])
    expect(error.message).toBe('JSON5: invalid character "@" at 3:6')
  })

  it('accepts what JSON5 accepts at the edges', () => {
    for (const text of ['0', '-0', '0.e1', '0e01', '5.', '+.5', '-0x1F', '+Infinity', '-NaN', '{if: 1, null: 2, true: "t"}', "''", '"\\\r\n"', '"\\q"']) {
      expect(() => scanJson5Strings(text)).not.toThrow()
      expect(() => JSON5.parse(text)).not.toThrow()
    }
  })

  it('accepts raw U+2028/2029 in strings as JSON5 does', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    try {
      const text = '"a\u2028b\u2029"'
      expect(JSON5.parse(rewriteJson5Strings(text, upper).text)).toBe('A\u2028B\u2029')
    } finally {
      warn.mockRestore()
    }
  })
})

// ---------------------------------------------------------------------------------------------
// Property tests: random JSON5 documents in random styles.

function prng(seed: number): () => number {
  // mulberry32: small, seeded, good enough to vary test inputs reproducibly.
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const STRINGS = [
  '',
  'plain',
  "it's",
  'say "hi"',
  'back\\slash',
  'two\nlines',
  'tab\tx',
  'nul\u0000',
  '\u0000',
  'café',
  '😀',
  '日本語',
  '// not a comment',
  '/* nor this */',
  '/Users/alice',
  '/Users/alice/.openclaw/workspace',
  '/Users/alice2/x',
  'file:///Users/alice/x',
  '/Users/alice/src:/src:rw',
  '${HOME}/x',
  '~/x',
  'https://example.com/Users/alice',
]
const KEYS = ['a', 'b', '$x', '_y', 'workspace', 'agentDir', 'café', 'if', 'null', 'a.b', 'with space', "it's", 'say "k"', '$include', 'binds']
const NUMBERS = ['0', '1', '-2.5', '+1', '.5', '5.', '0x1F', '-0X1f', 'Infinity', '-Infinity', 'NaN', '+NaN', '1e10', '1E-3', '0.0', '123456789']
const GAPS = ['', '', ' ', '  ', '\n  ', '\t', '\r\n', ' // line comment\n', '/* block */', '/* multi\n line */ ', '\u00a0', '\n\n']

function generate(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
  const gap = () => pick(GAPS)

  function stringLiteral(value: string): string {
    const quote = random() < 0.5 ? '"' : "'"
    let body = ''
    for (let i = 0; i < value.length; i++) {
      const c = value[i] as string
      const code = c.charCodeAt(0)
      const nextIsDigit = /[0-9]/.test(value[i + 1] ?? '')
      const r = random()
      if (random() < 0.05) body += pick(['\\\n', '\\\r\n', '\\\u2028'])
      if (c === quote || c === '\\') body += `\\${c}`
      else if (c === '\n') body += r < 0.5 ? '\\n' : '\\u000a'
      else if (c === '\t') body += r < 0.5 ? '\\t' : r < 0.75 ? '\t' : '\\x09'
      else if (c === '\0') body += nextIsDigit || r < 0.5 ? '\\u0000' : '\\0'
      else if (r < 0.1) body += `\\u${code.toString(16).padStart(4, '0')}`
      else if (r < 0.15 && code < 256) body += `\\x${code.toString(16).padStart(2, '0')}`
      else if (r < 0.2 && /[a-zA-Z/'"]/.test(c) && !/[bfnrtvxu]/.test(c)) body += `\\${c}`
      else body += c
    }
    return quote + body + quote
  }

  function key(name: string): string {
    if (/^[$_a-zA-Z\u00e9][$_a-zA-Z0-9\u00e9]*$/.test(name) && random() < 0.6) return name
    return stringLiteral(name)
  }

  function value(depth: number, object = false): string {
    const r = object ? 0 : random()
    if (depth < 4 && r < 0.2) {
      const names = [...KEYS].sort(() => random() - 0.5).slice(0, Math.floor(random() * 5))
      const members = names.map((name) => `${gap()}${key(name)}${gap()}:${gap()}${value(depth + 1)}${gap()}`)
      return `{${members.join(',')}${members.length > 0 && random() < 0.5 ? ',' : ''}${gap()}}`
    }
    if (depth < 4 && r < 0.35) {
      const items = Array.from({length: Math.floor(random() * 5)}, () => `${gap()}${value(depth + 1)}${gap()}`)
      return `[${items.join(',')}${items.length > 0 && random() < 0.5 ? ',' : ''}${gap()}]`
    }
    if (r < 0.8) return stringLiteral(pick(STRINGS))
    if (r < 0.93) return pick(NUMBERS)
    return pick(['true', 'false', 'null'])
  }

  // Mostly documents with an object at the top, like configs.
  return `${gap()}${random() < 0.85 ? value(0, true) : value(3)}${gap()}`
}

describe('rewriteJson5Strings: property tests on generated documents', () => {
  const map = new PathMap([
    {from: '/Users/alice/.openclaw', to: '/home/openclaw/.openclaw'},
    {from: '/Users/alice', to: "/home/o'p \"q\""},
  ])
  const rewriters: Record<string, StringRewriter> = {
    'path map': (value) => map.mapPath(value) ?? map.mapEmbedded(value),
    'every string to awkward text': (value) => `${value}'"\\\n\u2028\u0000é😀/`,
    'shorten every other string': (value) => (value.length % 2 === 1 ? value.slice(1) : undefined),
    'by key': (value, key) => (key.endsWith('workspace') || key.includes('[') ? `${key}=${value}` : undefined),
    'to empty': () => '',
  }

  const documents = Array.from({length: 300}, (_, i) => generate(prng(i + 1)))

  it('generates valid and varied documents', () => {
    for (const doc of documents) expect(() => JSON5.parse(doc)).not.toThrow()
    expect(documents.filter((doc) => doc.includes('//')).length).toBeGreaterThan(50)
    expect(documents.filter((doc) => doc.includes("'")).length).toBeGreaterThan(100)
  })

  it('a rewrite that keeps everything returns each document byte-for-byte', () => {
    for (const doc of documents) expect(rewriteJson5Strings(doc, keep)).toEqual({text: doc, changes: []})
  })

  for (const [name, rewrite] of Object.entries(rewriters)) {
    it(`parses to the mapped tree: ${name}`, () => {
      for (const doc of documents) expectRewriteMatchesParse(doc, rewrite)
    })
  }

  it('only string literals change: the text outside them is identical', () => {
    for (const doc of documents) {
      const literals = scanJson5Strings(doc)
      const result = rewriteJson5Strings(doc, rewriters['every string to awkward text'] as StringRewriter)
      const after = scanJson5Strings(result.text)
      expect(after.length).toBe(literals.length)
      const outside = (text: string, spans: {start: number; end: number}[]) => {
        let rest = ''
        let at = 0
        for (const span of spans) {
          rest += `${text.slice(at, span.start)}#`
          at = span.end
        }
        return rest + text.slice(at)
      }
      expect(outside(result.text, after)).toBe(outside(doc, literals))
    }
  })
})

describe('Json5SyntaxError positions', () => {
  it.each([
    ['@', 1, 1],
    ['\n@', 2, 1],
    ['{a: "x\n"}', 1, 7],
    ['[1,\n 2,\n x]', 3, 2],
    ['/* never closed\n', 2, 1],
  ])('%j -> %i:%i', (text, line, column) => {
    const error = (() => {
      try {
        scanJson5Strings(text)
      } catch (e) {
        return e as Json5SyntaxError
      }
    })()
    expect([error?.line, error?.column]).toEqual([line, column])
  })
})
