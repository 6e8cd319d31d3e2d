// Maps paths under the source host's dirs (state dir, home) to where they live on the target.
// Pure string work on POSIX paths: nothing here touches a filesystem, because the files it is
// asked about may be on either host or on neither.
//
// `sed 's|/Users/old|/home/new|g'` is what people do by hand, and it goes wrong in three ways
// this module exists to avoid: it rewrites /Users/old2 (a prefix that is not a parent), it
// applies the home mapping to a state dir that moved somewhere else (order matters, so the
// longest `from` has to win), and it rewrites text that merely mentions the path inside a URL.

export interface PathMapping {
  /** Absolute POSIX dir on the source, no trailing slash. */
  from: string
  /** Absolute POSIX dir on the target, no trailing slash. */
  to: string
}

// A path embedded in free text starts after one of these (or at the start of the text):
// whitespace, quotes, `=` (--flag=/x, VAR=/x), `:` (docker binds, PATH lists), `(`, `,`, shell
// operators (`;`, `|`, `&`, `<`, `>` as in `>>/x/log`), and `[`/`{` from inline JSON. A `/` is
// deliberately not in the set: /srv/Users/alice is not under /Users/alice.
const BEFORE_PATH = /[\s"'`=:(,;|&<>[{]/u

// ...and the path is *under* `from` only if `from` is followed by the end, `/`, or a char that
// cannot continue a file name in the text it appears in. Letters, digits, `.`, `-`, `_`, `~`,
// `@`, `+` and also `\` (a shell-escaped space: `/Users/alice\ 2` is a different dir) all
// continue the name, so /Users/alice2 or /Users/alice.bak never match /Users/alice.
const AFTER_PATH = /[\s"'`:,;)\]}|&<>]/u

const FILE_SCHEME = 'file://'

export class PathMap {
  /** The mappings that change something, longest `from` first. */
  readonly mappings: readonly PathMapping[]
  /** Every rule used for matching, identity mappings included (they pin a dir under a moved parent). */
  readonly #rules: readonly PathMapping[]

  constructor(mappings: readonly PathMapping[]) {
    const byFrom = new Map<string, string>()
    for (const mapping of mappings) {
      const from = normalizeDir(mapping.from, 'from')
      const to = normalizeDir(mapping.to, 'to')
      const existing = byFrom.get(from)
      if (existing !== undefined && existing !== to) {
        throw new Error(`conflicting path mappings for ${from}: ${existing} and ${to}`)
      }
      byFrom.set(from, to)
    }
    // Longest first, so the state dir's own mapping beats the home dir's when both apply.
    // Ties cannot happen: equal-length distinct strings never match the same value.
    const rules = [...byFrom].map(([from, to]) => ({from, to})).sort((a, b) => b.from.length - a.from.length)
    // An identity mapping changes nothing on its own, but it still takes part in matching: with
    // {/Users/a/.openclaw -> same} and {/Users/a -> /home/a}, the state dir stays put.
    this.#rules = rules
    this.mappings = rules.filter((rule) => rule.from !== rule.to)
  }

  /**
   * The new value when `value` IS a path equal to a `from` or under it (`from + '/'...`);
   * otherwise undefined. /home/alice2 never matches from=/home/alice.
   */
  mapPath(value: string): string | undefined {
    for (const rule of this.#rules) {
      if (value === rule.from || value.startsWith(`${rule.from}/`)) {
        return rule.from === rule.to ? undefined : rule.to + value.slice(rule.from.length)
      }
    }
    return undefined
  }

  /**
   * Rewrites paths embedded in free text (command lines, crontab lines, docker binds
   * `host:ctr:rw`, `file:///…` URLs, `--flag=/home/x/…`) at path boundaries, in a single pass
   * (so mappings that swap two dirs do not undo each other). Returns the new text.
   */
  mapEmbedded(text: string): string {
    if (this.mappings.length === 0) return text
    let out = ''
    let copied = 0
    let i = 0
    while (i < text.length) {
      const next = text.indexOf('/', i)
      if (next === -1) break
      i = next
      const rule = startsAtBoundary(text, i) ? this.#ruleAt(text, i) : undefined
      if (rule === undefined) {
        i++
        continue
      }
      if (rule.from !== rule.to) {
        out += text.slice(copied, i) + rule.to
        copied = i + rule.from.length
      }
      i += rule.from.length
    }
    return copied === 0 ? text : out + text.slice(copied)
  }

  /** True when `text` mentions a `from` at a path boundary (even one the rewrite would not touch). */
  mentions(text: string): boolean {
    for (let i = text.indexOf('/'); i !== -1; i = text.indexOf('/', i + 1)) {
      const rule = startsAtBoundary(text, i) ? this.#ruleAt(text, i) : undefined
      if (rule !== undefined && rule.from !== rule.to) return true
    }
    return false
  }

  #ruleAt(text: string, i: number): PathMapping | undefined {
    for (const rule of this.#rules) {
      if (!text.startsWith(rule.from, i)) continue
      const after = i + rule.from.length
      if (after === text.length || text[after] === '/' || AFTER_PATH.test(text[after] as string)) return rule
    }
    return undefined
  }
}

function startsAtBoundary(text: string, i: number): boolean {
  if (i === 0 || BEFORE_PATH.test(text[i - 1] as string)) return true
  // file:///Users/alice/x: the path's own `/` follows the scheme's `//`.
  const scheme = i - FILE_SCHEME.length
  return scheme >= 0 && text.slice(scheme, i).toLowerCase() === FILE_SCHEME && (scheme === 0 || BEFORE_PATH.test(text[scheme - 1] as string))
}

function normalizeDir(value: string, what: 'from' | 'to'): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new Error(`path mapping ${what} must be an absolute POSIX path, got ${JSON.stringify(value)}`)
  }
  if (value.includes('\0')) throw new Error(`path mapping ${what} contains a NUL byte: ${JSON.stringify(value)}`)
  const dir = value.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1')
  if (dir === '/') throw new Error(`path mapping ${what} cannot be the root directory`)
  if (dir.split('/').some((segment) => segment === '.' || segment === '..')) {
    throw new Error(`path mapping ${what} must be normalized (no . or .. segments), got ${JSON.stringify(value)}`)
  }
  return dir
}
