// Rewrites string values inside JSON5 text without reformatting it.
//
// Parsing with JSON5 and writing it back would lose what the user wrote: comments, key order
// quirks, quote style, trailing commas. OpenClaw itself does that when it saves a config (and
// keeps a .bak), but a migration tool should change the paths and nothing else, so that the
// user's diff shows exactly the paths. So this is a small JSON5 scanner that finds each string
// value with its key path, and splices new string literals into the original text.

export interface StringChange {
  /** Dotted key path, array indices as [n]: `agents.list[1].workspace` ('' for a top-level string). */
  key: string
  from: string
  to: string
}

/**
 * Gets a decoded string value and its key path, and returns the new value, or undefined to keep
 * it. `path` is the same key path as segments, for callers that must not be fooled by keys that
 * contain dots (session keys such as `agent:main:whatsapp:group:123@g.us` do).
 */
export type StringRewriter = (value: string, key: string, path: readonly (string | number)[]) => string | undefined

/** Not JSON5. Line and column are 1-based, like the json5 package's messages. */
export class Json5SyntaxError extends SyntaxError {
  readonly line: number
  readonly column: number
  readonly offset: number

  constructor(reason: string, text: string, offset: number) {
    const line = lineAt(text, offset)
    const lineStart = offset === 0 ? 0 : text.lastIndexOf('\n', offset - 1) + 1
    const column = offset - lineStart + 1
    super(`JSON5: ${reason} at ${line}:${column}`)
    this.name = 'Json5SyntaxError'
    this.line = line
    this.column = column
    this.offset = offset
  }
}

/**
 * Rewrites string VALUES (never object keys) in JSON5 text, keeping everything else
 * byte-for-byte: comments, whitespace, quote style, escapes of untouched strings (and of the
 * untouched start and end of changed ones), unquoted keys, trailing commas. Throws
 * Json5SyntaxError when the text is not JSON5.
 */
export function rewriteJson5Strings(text: string, rewrite: StringRewriter): {text: string; changes: StringChange[]} {
  const changes: StringChange[] = []
  let out = ''
  let copied = 0
  for (const literal of scanJson5Strings(text)) {
    const key = keyPathToString(literal.path)
    const next = rewrite(literal.value, key, literal.path)
    if (next === undefined || next === literal.value) continue
    out += text.slice(copied, literal.start) + reencodeLiteral(text, literal, next)
    copied = literal.end
    changes.push({key, from: literal.value, to: next})
  }
  return {text: copied === 0 ? text : out + text.slice(copied), changes}
}

/** `['agents', 'list', 1, 'workspace']` → `agents.list[1].workspace` (same form as config-loader's stringLeaves). */
export function keyPathToString(path: readonly (string | number)[]): string {
  let key = ''
  for (const segment of path) key += typeof segment === 'number' ? `[${segment}]` : key === '' ? segment : `.${segment}`
  return key
}

export interface StringLiteral {
  /** Offset of the opening quote. */
  start: number
  /** Offset just past the closing quote. */
  end: number
  quote: '"' | "'"
  value: string
  path: (string | number)[]
}

/** Every string value (not key) in a JSON5 document, in document order. Validates the whole text. */
export function scanJson5Strings(text: string): StringLiteral[] {
  const scanner = new Scanner(text)
  scanner.skipSpace()
  if (scanner.pos >= text.length) scanner.fail(scanner.pos)
  scanner.value([])
  scanner.skipSpace()
  if (scanner.pos < text.length) scanner.fail(scanner.pos)
  return scanner.strings
}

// ---------------------------------------------------------------------------------------------
// Scanner. Follows the JSON5 1.0 grammar (and the json5 package's choices where it is stricter,
// e.g. `\1`…`\9` and `\0` before a digit are errors), so that whatever JSON5.parse accepts this
// accepts too and the rewritten text parses the same way.

const ID_START = /[$_\p{ID_Start}]/u
const ID_CONTINUE = /[$_\u200C\u200D\p{ID_Continue}]/u
const DIGIT = /[0-9]/
const HEX = /[0-9a-fA-F]/
// JSON5 whitespace is exactly ECMAScript's: \s covers TAB VT FF SP NBSP BOM LF CR LS PS and Zs.
const SPACE = /\s/u

class Scanner {
  pos = 0
  readonly strings: StringLiteral[] = []

  constructor(readonly text: string) {}

  fail(at: number, reason?: string): never {
    if (reason === undefined) {
      const c = this.text[at]
      reason = c === undefined ? 'invalid end of input' : `invalid character ${JSON.stringify(c)}`
    }
    throw new Json5SyntaxError(reason, this.text, at)
  }

  skipSpace(): void {
    const {text} = this
    while (this.pos < text.length) {
      const c = text[this.pos] as string
      if (SPACE.test(c)) {
        this.pos++
      } else if (c === '/' && text[this.pos + 1] === '/') {
        this.pos += 2
        while (this.pos < text.length && !isLineTerminator(text[this.pos] as string)) this.pos++
      } else if (c === '/' && text[this.pos + 1] === '*') {
        const close = text.indexOf('*/', this.pos + 2)
        if (close === -1) this.fail(text.length, 'unterminated block comment')
        this.pos = close + 2
      } else if (c === '/') {
        this.fail(this.pos + 1)
      } else {
        return
      }
    }
  }

  value(path: (string | number)[]): void {
    const c = this.text[this.pos]
    if (c === '{') this.object(path)
    else if (c === '[') this.array(path)
    else if (c === '"' || c === "'") {
      const start = this.pos
      const {value, end} = readString(this.text, start, this)
      this.pos = end
      this.strings.push({start, end, quote: c, value, path})
    } else this.primitive()
  }

  object(path: (string | number)[]): void {
    this.pos++ // {
    for (;;) {
      this.skipSpace()
      if (this.text[this.pos] === '}') {
        this.pos++
        return
      }
      const key = this.key()
      this.skipSpace()
      if (this.text[this.pos] !== ':') this.fail(this.pos)
      this.pos++
      this.skipSpace()
      this.value([...path, key])
      this.skipSpace()
      const c = this.text[this.pos]
      if (c === ',') this.pos++
      else if (c !== '}') this.fail(this.pos)
    }
  }

  array(path: (string | number)[]): void {
    this.pos++ // [
    for (let index = 0; ; index++) {
      this.skipSpace()
      if (this.text[this.pos] === ']') {
        this.pos++
        return
      }
      this.value([...path, index])
      this.skipSpace()
      const c = this.text[this.pos]
      if (c === ',') this.pos++
      else if (c !== ']') this.fail(this.pos)
    }
  }

  key(): string {
    const c = this.text[this.pos]
    if (c === '"' || c === "'") {
      const {value, end} = readString(this.text, this.pos, this)
      this.pos = end
      return value
    }
    // IdentifierName (reserved words allowed), possibly with \uXXXX escapes.
    let name = ''
    for (;;) {
      const at = this.pos
      let ch = this.text[at]
      if (ch === undefined) break
      let width = 1
      if (ch === '\\') {
        if (this.text[at + 1] !== 'u') this.fail(at + 1)
        for (let k = 2; k < 6; k++) if (!HEX.test(this.text[at + k] ?? '')) this.fail(at + k)
        ch = String.fromCharCode(Number.parseInt(this.text.slice(at + 2, at + 6), 16))
        width = 6
        if (!(name === '' ? ID_START : ID_CONTINUE).test(ch)) this.fail(at, 'invalid identifier character')
      } else {
        const cp = this.text.codePointAt(at) as number
        ch = String.fromCodePoint(cp)
        width = ch.length
        if (!(name === '' ? ID_START : ID_CONTINUE).test(ch)) break
      }
      name += ch
      this.pos = at + width
    }
    if (name === '') this.fail(this.pos)
    return name
  }

  /** Numbers, true/false/null, Infinity/NaN (signed or not). Nothing of it is kept. */
  primitive(): void {
    const {text} = this
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, this.pos)) {
        this.pos += word.length
        return
      }
    }
    if (text[this.pos] === '+' || text[this.pos] === '-') this.pos++
    for (const word of ['Infinity', 'NaN']) {
      if (text.startsWith(word, this.pos)) {
        this.pos += word.length
        return
      }
    }
    const c = text[this.pos]
    if (c === '0' && (text[this.pos + 1] === 'x' || text[this.pos + 1] === 'X')) {
      this.pos += 2
      this.digits(HEX)
      return
    }
    if (c === '0') {
      this.pos++
      // A leading zero must not be followed by more digits (01 is an error, 0.5 and 0e1 are not).
    } else if (c !== undefined && DIGIT.test(c)) {
      while (DIGIT.test(text[this.pos] ?? '')) this.pos++
    } else if (c === '.') {
      this.pos++
      this.digits(DIGIT)
      this.exponent()
      return
    } else {
      this.fail(this.pos)
    }
    if (text[this.pos] === '.') {
      this.pos++
      while (DIGIT.test(text[this.pos] ?? '')) this.pos++
    }
    this.exponent()
  }

  exponent(): void {
    const {text} = this
    if (text[this.pos] !== 'e' && text[this.pos] !== 'E') return
    this.pos++
    if (text[this.pos] === '+' || text[this.pos] === '-') this.pos++
    this.digits(DIGIT)
  }

  /** One or more of `pattern`. */
  digits(pattern: RegExp): void {
    if (!pattern.test(this.text[this.pos] ?? '')) this.fail(this.pos)
    while (pattern.test(this.text[this.pos] ?? '')) this.pos++
  }
}

function isLineTerminator(c: string): boolean {
  return c === '\n' || c === '\r' || c === '\u2028' || c === '\u2029'
}

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++
  return line
}

// ---------------------------------------------------------------------------------------------
// String literals.

interface DecodedString {
  value: string
  /** Offset just past the closing quote. */
  end: number
  /** starts[k] = offset in the text where decoded UTF-16 unit k is encoded; starts[value.length] = closing quote. */
  starts: number[]
  /** The literal used `\/` (some JSON writers escape every slash; keep doing it). */
  escapedSlash: boolean
  /** The literal wrote non-ASCII only as \u escapes (an ensure_ascii writer; keep doing it). */
  asciiOnly: boolean
}

const SIMPLE_ESCAPES: Record<string, string> = {b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '0': '\0'}

function readString(text: string, start: number, scanner: Scanner): DecodedString {
  const quote = text[start] as string
  const starts: number[] = []
  let value = ''
  let escapedSlash = false
  let escapedNonAscii = false
  let rawNonAscii = false
  let i = start + 1
  for (;;) {
    const c = text[i]
    if (c === undefined) scanner.fail(i)
    if (c === quote) {
      starts.push(i)
      return {value, end: i + 1, starts, escapedSlash, asciiOnly: escapedNonAscii && !rawNonAscii}
    }
    if (c === '\n' || c === '\r') scanner.fail(i)
    if (c !== '\\') {
      if (c.charCodeAt(0) > 0x7f) rawNonAscii = true
      starts.push(i)
      value += c
      i++
      continue
    }
    const e = text[i + 1]
    if (e === undefined) scanner.fail(i + 1)
    if (isLineTerminator(e)) {
      // Line continuation: contributes nothing to the value.
      i += e === '\r' && text[i + 2] === '\n' ? 3 : 2
      continue
    }
    let decoded: string
    let width: number
    if (e === 'x' || e === 'u') {
      const n = e === 'x' ? 2 : 4
      for (let k = 0; k < n; k++) if (!HEX.test(text[i + 2 + k] ?? '')) scanner.fail(i + 2 + k)
      decoded = String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 2 + n), 16))
      width = 2 + n
      if (decoded.charCodeAt(0) > 0x7f) escapedNonAscii = true
    } else if (e === '0') {
      if (DIGIT.test(text[i + 2] ?? '')) scanner.fail(i + 2)
      decoded = '\0'
      width = 2
    } else if (DIGIT.test(e)) {
      scanner.fail(i + 1)
    } else {
      decoded = SIMPLE_ESCAPES[e] ?? e
      width = 2
      if (e === '/') escapedSlash = true
    }
    starts.push(i)
    value += decoded
    i += width
  }
}

/**
 * The new literal for `next`, in the old literal's quote style. The longest common start and
 * end of the old and new values are copied from the original text as written (so an unusual
 * escape in an untouched part survives); only the middle is encoded afresh.
 */
function reencodeLiteral(text: string, literal: StringLiteral, next: string): string {
  const old = literal.value
  const decoded = readString(text, literal.start, new Scanner(text))
  let prefix = 0
  const limit = Math.min(old.length, next.length)
  while (prefix < limit && old.charCodeAt(prefix) === next.charCodeAt(prefix)) prefix++
  let suffix = 0
  while (suffix < limit - prefix && old.charCodeAt(old.length - 1 - suffix) === next.charCodeAt(next.length - 1 - suffix)) suffix++
  // Never cut a surrogate pair in two, and never end the kept start on a NUL: it may be a `\0`
  // escape, which must not be followed by a digit from the new middle.
  while (prefix > 0 && (isHighSurrogate(old.charCodeAt(prefix - 1)) || old.charCodeAt(prefix - 1) === 0)) prefix--
  while (suffix > 0 && isLowSurrogate(old.charCodeAt(old.length - suffix))) suffix--
  const head = text.slice(literal.start + 1, decoded.starts[prefix])
  const tail = text.slice(decoded.starts[old.length - suffix], literal.end - 1)
  const middle = encodeStringContent(next.slice(prefix, next.length - suffix), literal.quote, {
    escapeSlash: decoded.escapedSlash,
    asciiOnly: decoded.asciiOnly,
  })
  return literal.quote + head + middle + tail + literal.quote
}

export interface EncodeOptions {
  /** Write `/` as `\/`. */
  escapeSlash?: boolean
  /** Write every non-ASCII unit as \uXXXX. */
  asciiOnly?: boolean
}

/**
 * The body of a string literal (without quotes) for `value`. The output is valid JSON when the
 * quote is `"` (so plain-JSON files stay plain JSON): only JSON's escapes, \uXXXX for other
 * control characters, U+2028/2029 and lone surrogates.
 */
export function encodeStringContent(value: string, quote: '"' | "'", options: EncodeOptions = {}): string {
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string
    const code = c.charCodeAt(0)
    if (c === '\\') out += '\\\\'
    else if (c === quote) out += `\\${quote}`
    else if (c === '\n') out += '\\n'
    else if (c === '\r') out += '\\r'
    else if (c === '\t') out += '\\t'
    else if (c === '\b') out += '\\b'
    else if (c === '\f') out += '\\f'
    else if (c === '/' && options.escapeSlash) out += '\\/'
    else if (code < 0x20 || code === 0x2028 || code === 0x2029) out += unicodeEscape(code)
    else if (isHighSurrogate(code) && isLowSurrogate(value.charCodeAt(i + 1))) {
      out += options.asciiOnly ? unicodeEscape(code) + unicodeEscape(value.charCodeAt(i + 1)) : c + value[i + 1]
      i++
    } else if (isHighSurrogate(code) || isLowSurrogate(code)) out += unicodeEscape(code)
    else if (code > 0x7e && options.asciiOnly) out += unicodeEscape(code)
    else out += c
  }
  return out
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff
}
