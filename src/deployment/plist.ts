// A minimal XML property-list reader: enough for launchd plists (dict, array, string, integer,
// real, true/false, date, data). Binary plists are converted to XML on the host with plutil first.

export type PlistValue = string | number | boolean | PlistValue[] | {[key: string]: PlistValue}

export class PlistError extends Error {}

const ENTITIES: Record<string, string> = {'&lt;': '<', '&gt;': '>', '&amp;': '&', '&quot;': '"', '&apos;': "'"}

function decode(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[0-9a-f]+);/gi, (m) => {
    if (m.startsWith('&#x')) return String.fromCodePoint(Number.parseInt(m.slice(3, -1), 16))
    if (m.startsWith('&#')) return String.fromCodePoint(Number(m.slice(2, -1)))
    return ENTITIES[m] ?? m
  })
}

export function parsePlist(xml: string): PlistValue {
  const tokens = [...xml.replace(/<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<!--[\s\S]*?-->/g, '').matchAll(/<(\/?)([A-Za-z]+)(?:\s[^>]*?)?(\s*\/)?>|([^<]+)/g)]
  let i = 0
  const next = () => tokens[i++]
  const skipText = () => {
    while (i < tokens.length && tokens[i]?.[4] !== undefined && tokens[i]?.[4]?.trim() === '') i++
  }

  function readValue(): PlistValue {
    skipText()
    const tok = next()
    if (!tok || tok[4] !== undefined || tok[1] === '/') throw new PlistError('expected a value element')
    const tag = tok[2] ?? ''
    if (tok[3]) {
      if (tag === 'true') return true
      if (tag === 'false') return false
      if (tag === 'string') return ''
      if (tag === 'dict') return {}
      if (tag === 'array') return []
      throw new PlistError(`unexpected <${tag}/>`)
    }
    switch (tag) {
      case 'dict': {
        const out: Record<string, PlistValue> = {}
        for (;;) {
          skipText()
          const t = next()
          if (!t) throw new PlistError('unterminated <dict>')
          if (t[1] === '/' && t[2] === 'dict') return out
          if (t[2] !== 'key') throw new PlistError('expected <key> in <dict>')
          const key = readText('key')
          out[key] = readValue()
        }
      }
      case 'array': {
        const out: PlistValue[] = []
        for (;;) {
          skipText()
          if (tokens[i]?.[1] === '/' && tokens[i]?.[2] === 'array') {
            i++
            return out
          }
          if (i >= tokens.length) throw new PlistError('unterminated <array>')
          out.push(readValue())
        }
      }
      case 'string': case 'date': case 'data': return readText(tag)
      case 'integer': case 'real': return Number(readText(tag))
      case 'plist': {
        const value = readValue()
        skipText()
        return value
      }
      default: throw new PlistError(`unsupported element <${tag}>`)
    }
  }

  function readText(tag: string): string {
    let text = ''
    while (tokens[i]?.[4] !== undefined) text += tokens[i++]?.[4] ?? ''
    const close = next()
    if (!close || close[1] !== '/' || close[2] !== tag) throw new PlistError(`unterminated <${tag}>`)
    return decode(text)
  }

  return readValue()
}

/** Serialises a value as an XML plist (used for generated LaunchDaemons and round-trip tests). */
export function buildPlist(value: PlistValue): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  const render = (v: PlistValue, indent: string): string => {
    if (typeof v === 'string') return `${indent}<string>${esc(v)}</string>`
    if (typeof v === 'boolean') return `${indent}<${v}/>`
    if (typeof v === 'number') return Number.isInteger(v) ? `${indent}<integer>${v}</integer>` : `${indent}<real>${v}</real>`
    if (Array.isArray(v)) return v.length === 0 ? `${indent}<array/>` : `${indent}<array>\n${v.map((x) => render(x, indent + '\t')).join('\n')}\n${indent}</array>`
    const entries = Object.entries(v)
    if (entries.length === 0) return `${indent}<dict/>`
    return `${indent}<dict>\n${entries.map(([k, x]) => `${indent}\t<key>${esc(k)}</key>\n${render(x, indent + '\t')}`).join('\n')}\n${indent}</dict>`
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n${render(value, '')}\n</plist>\n`
}
