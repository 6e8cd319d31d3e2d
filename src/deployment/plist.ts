import {DOMParser, type Element, type Node} from '@xmldom/xmldom'

// An XML property-list reader for launchd plists (dict, array, string, integer, real, true/false,
// date, data). Binary plists are converted to XML on the host with plutil first. The XML itself is
// read by @xmldom/xmldom (CDATA, entities and character references, comments, DOCTYPE); this module
// only turns the elements into values, strictly: anything a plist may not hold is a PlistError.
// (The `plist` package does this walk too, but prints xmldom's complaints to the console and takes
// a dangling <key> or stray text silently.)

export type PlistValue = string | number | boolean | PlistValue[] | {[key: string]: PlistValue}

export class PlistError extends Error {}

const ELEMENT = 1
const TEXT = 3
const CDATA = 4

/** The value of an XML plist; a bare value without the <plist> element is read too. Dates and data stay as their text. */
export function parsePlist(xml: string): PlistValue {
  const parser = new DOMParser({
    // Every complaint (bad nesting, an unknown entity) fails the parse; nothing goes to the console.
    onError: (level, message) => {
      if (level !== 'warning') throw new PlistError(message.trim())
    },
  })
  let root: Element | null
  try {
    root = parser.parseFromString(xml, 'text/xml').documentElement
  } catch (error) {
    throw error instanceof PlistError ? error : new PlistError(error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error))
  }
  if (!root) throw new PlistError('no XML element')
  if (root.nodeName !== 'plist') return readValue(root)
  const values = children(root)
  if (values.length !== 1) throw new PlistError(`<plist> holds ${values.length} values, not 1`)
  return readValue(values[0] as Element)
}

function readValue(el: Element): PlistValue {
  switch (el.nodeName) {
    case 'dict': {
      const items = children(el)
      if (items.length % 2 !== 0) throw new PlistError('a <key> without its value in <dict>')
      const out: Record<string, PlistValue> = {}
      for (let i = 0; i < items.length; i += 2) {
        const [key, value] = [items[i] as Element, items[i + 1] as Element]
        if (key.nodeName !== 'key') throw new PlistError(`expected <key> in <dict>, found <${key.nodeName}>`)
        if (value.nodeName === 'key') throw new PlistError('two <key>s in a row in <dict>')
        // defineProperty: a key named __proto__ is data, not the object's prototype.
        Object.defineProperty(out, text(key), {value: readValue(value), enumerable: true, writable: true, configurable: true})
      }
      return out
    }
    case 'array': return children(el).map(readValue)
    case 'string': case 'date': case 'data': return text(el)
    case 'integer': case 'real': {
      const t = text(el).trim()
      const n = Number(t)
      if (t === '' || Number.isNaN(n)) throw new PlistError(`<${el.nodeName}> holds "${t}", not a number`)
      return n
    }
    case 'true': case 'false':
      if (el.childNodes.length > 0) throw new PlistError(`<${el.nodeName}> must be empty`)
      return el.nodeName === 'true'
    default: throw new PlistError(`unsupported element <${el.nodeName}>`)
  }
}

/** The element children of a container; text other than whitespace between them is an error. */
function children(el: Element): Element[] {
  const out: Element[] = []
  for (const node of nodes(el)) {
    if (node.nodeType === ELEMENT) out.push(node as Element)
    else if ((node.nodeType === TEXT || node.nodeType === CDATA) && (node.nodeValue ?? '').trim() !== '') throw new PlistError(`text "${(node.nodeValue ?? '').trim().slice(0, 20)}" where a value belongs in <${el.nodeName}>`)
  }
  return out
}

/** The text of a leaf element (text and CDATA, entities decoded); an element inside is an error. */
function text(el: Element): string {
  let out = ''
  for (const node of nodes(el)) {
    if (node.nodeType === ELEMENT) throw new PlistError(`<${node.nodeName}> inside <${el.nodeName}>`)
    if (node.nodeType === TEXT || node.nodeType === CDATA) out += node.nodeValue ?? ''
  }
  return out
}

function nodes(el: Element): Node[] {
  return Array.from({length: el.childNodes.length}, (_, i) => el.childNodes.item(i)).filter((n): n is Node => n !== null)
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
