import {BugError, UnexpectedOutputError} from '../../errors.js'

/**
 * Reading and rewriting the domain XML that `virsh dumpxml` prints. libvirt formats it canonically
 * (one element per line, attributes in single quotes, `&apos;`/`&quot;`/`&lt;`/`&gt;`/`&amp;`
 * escaped), so the few edits a move needs are done on elements located in that text, leaving every
 * other byte as libvirt wrote it. Everything read from the XML is unescaped; everything written is
 * escaped.
 */

export const OCVM_NS = 'https://github.com/ocvm/ocvm/xmlns/libvirt-import/1'

export function xmlEscape(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll("'", '&apos;').replaceAll('"', '&quot;')
}

export function xmlUnescape(value: string): string {
  return value.replace(/&(amp|lt|gt|apos|quot|#\d+|#x[0-9a-f]+);/gi, (_, e: string) => {
    const named: Record<string, string> = {amp: '&', lt: '<', gt: '>', apos: "'", quot: '"'}
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!
    return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)))
  })
}

/** Attributes of the first `<tag ...>` in `text`. */
function attrsOf(text: string, tag: string): Record<string, string> | undefined {
  const match = new RegExp(`<${tag}(\\s[^>]*?)?/?>`).exec(text)
  if (!match) return undefined
  const out: Record<string, string> = {}
  for (const a of (match[1] ?? '').matchAll(/([\w:-]+)=(?:'([^']*)'|"([^"]*)")/g)) out[a[1]!] = xmlUnescape(a[2] ?? a[3] ?? '')
  return out
}

function textOf(xml: string, tag: string): string | undefined {
  const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml)
  return match ? xmlUnescape(match[1]!) : undefined
}

interface Block {
  text: string
  start: number
  end: number
}

/** Every `<tag ...>...</tag>` (not nested in itself) inside `<devices>`. */
function blocks(xml: string, tag: string): Block[] {
  const out: Block[] = []
  for (const m of xml.matchAll(new RegExp(`<${tag}[\\s>][\\s\\S]*?</${tag}>`, 'g'))) out.push({text: m[0], start: m.index, end: m.index + m[0].length})
  return out
}

export interface XmlDisk {
  /** `file`, `block`, `volume`, `network`. */
  type: string
  /** `disk`, `cdrom`, `floppy`, `lun`. */
  device: string
  target: string
  /** The driver's format (`<driver type='qcow2'/>`). */
  format?: string
  file?: string
  pool?: string
  volume?: string
}

export interface XmlInterface {
  type: string
  mac?: string
  network?: string
  bridge?: string
  /** The host device of a `direct` (macvtap) interface. */
  dev?: string
  model?: string
}

export interface DomainXml {
  name: string
  uuid?: string
  type?: string
  arch?: string
  disks: XmlDisk[]
  interfaces: XmlInterface[]
  /** A virtio-serial channel for the QEMU guest agent. */
  guestAgent: boolean
  /** Volumes `importVm` created for this domain (its ocvm metadata), if any. */
  importedVolumes: Array<{pool: string; volume: string}>
}

export function parseDomainXml(xml: string): DomainXml {
  const name = textOf(xml, 'name')
  if (!name || !/^<domain[\s>]/.test(xml.trimStart())) {
    throw new UnexpectedOutputError('virsh', 'virsh dumpxml', 'not a domain definition', undefined, {hint: 'Run again with --verbose and report the output.'})
  }
  const disks = blocks(xml, 'disk').map((b): XmlDisk => {
    const disk = attrsOf(b.text, 'disk') ?? {}
    const source = attrsOf(b.text, 'source') ?? {}
    const driver = attrsOf(b.text, 'driver') ?? {}
    return {
      type: disk.type ?? 'file',
      device: disk.device ?? 'disk',
      target: attrsOf(b.text, 'target')?.dev ?? '',
      ...(driver.type ? {format: driver.type} : {}),
      ...(source.file ? {file: source.file} : {}),
      ...(source.pool ? {pool: source.pool} : {}),
      ...(source.volume ? {volume: source.volume} : {}),
    }
  })
  const interfaces = blocks(xml, 'interface').map((b): XmlInterface => {
    const source = attrsOf(b.text, 'source') ?? {}
    const mac = attrsOf(b.text, 'mac')?.address
    const model = attrsOf(b.text, 'model')?.type
    return {
      type: attrsOf(b.text, 'interface')?.type ?? '',
      ...(mac ? {mac} : {}),
      ...(source.network ? {network: source.network} : {}),
      ...(source.bridge ? {bridge: source.bridge} : {}),
      ...(source.dev ? {dev: source.dev} : {}),
      ...(model ? {model} : {}),
    }
  })
  const guestAgent = blocks(xml, 'channel').some((b) => attrsOf(b.text, 'target')?.name === 'org.qemu.guest_agent.0')
  const meta = new RegExp(`<ocvm:import xmlns:ocvm=['"]${OCVM_NS.replaceAll('.', '\\.')}['"]>([\\s\\S]*?)</ocvm:import>`).exec(xml)
  const importedVolumes = meta
    ? [...meta[1]!.matchAll(/<ocvm:volume\s[^>]*\/>/g)].map((m) => {
        const a = attrsOf(m[0], 'ocvm:volume') ?? {}
        return {pool: a.pool ?? '', volume: a.name ?? ''}
      }).filter((v) => v.pool && v.volume)
    : []
  const uuid = textOf(xml, 'uuid')
  const domainAttrs = attrsOf(xml, 'domain') ?? {}
  const arch = attrsOf(/<os>[\s\S]*?<\/os>/.exec(xml)?.[0] ?? '', 'type')?.arch
  return {name, ...(uuid ? {uuid} : {}), ...(domainAttrs.type ? {type: domainAttrs.type} : {}), ...(arch ? {arch} : {}), disks, interfaces, guestAgent, importedVolumes}
}

export interface RewriteOptions {
  /** New name (changes the UUID too: libvirt generates one). */
  name?: string
  /** Disk target (`vda`) → absolute path of the image on the target host. */
  diskPaths: Record<string, string>
  /** Source network or bridge name → name on the target. */
  networkMap?: Record<string, string>
  /** Drop MAC addresses so libvirt generates new ones (when the source VM keeps running). */
  newMac?: boolean
  /** Volumes created for this domain, recorded as ocvm metadata so `removeImported` deletes only those. */
  importedVolumes?: Array<{pool: string; volume: string}>
}

/** The domain XML for the target: disk sources, name/UUID, networks, MACs, ocvm metadata. */
export function rewriteDomainXml(xml: string, options: RewriteOptions): string {
  let out = xml
  // Disks: replace the <disk> element's type and its <source>, keeping everything else in it.
  const diskBlocks = blocks(out, 'disk').reverse()
  for (const b of diskBlocks) {
    const target = attrsOf(b.text, 'target')?.dev
    if (!target || !(target in options.diskPaths)) continue
    const path = options.diskPaths[target]!
    let text = b.text.replace(/^<disk(\s[^>]*?)?type=(['"])[^'"]*\2/, `<disk$1type='file'`)
    const sourceEl = /<source(\s[^>]*?)?(\/>|>[\s\S]*?<\/source>)/.exec(text)
    const newSource = `<source file='${xmlEscape(path)}'/>`
    text = sourceEl ? text.replace(sourceEl[0], newSource) : text.replace(/(<disk[^>]*>\s*)/, `$1${newSource}\n      `)
    // The source's chain (as libvirt recorded it) does not exist on the target: libvirt reads the
    // chain from the moved image's own header instead.
    text = text.replace(/\n?[ \t]*<backingStore(?:\s[^>]*)?(?:\/>|>[\s\S]*<\/backingStore>)/, '')
    out = out.slice(0, b.start) + text + out.slice(b.end)
  }
  for (const [target] of Object.entries(options.diskPaths)) {
    if (!blocks(out, 'disk').some((b) => attrsOf(b.text, 'target')?.dev === target)) {
      throw new BugError(`domain XML has no disk with target ${target}`)
    }
  }
  if (options.networkMap && Object.keys(options.networkMap).length > 0) {
    const map = options.networkMap
    for (const b of blocks(out, 'interface').reverse()) {
      const text = b.text.replace(/(<source\s[^>]*?(?:network|bridge)=)(['"])([^'"]*)\2/, (whole, pre: string, q: string, value: string) => {
        const mapped = map[xmlUnescape(value)]
        return mapped === undefined ? whole : `${pre}${q}${xmlEscape(mapped)}${q}`
      })
      out = out.slice(0, b.start) + text + out.slice(b.end)
    }
  }
  if (options.newMac) out = out.replace(/\n?\s*<mac address=(['"])[^'"]*\1\/>/g, '')
  if (options.name !== undefined) {
    out = out.replace(/<name>[^<]*<\/name>/, `<name>${xmlEscape(options.name)}</name>`)
    out = out.replace(/\n?\s*<uuid>[^<]*<\/uuid>/, '')
  }
  if (options.importedVolumes && options.importedVolumes.length > 0) {
    const vols = options.importedVolumes.map((v) => `<ocvm:volume pool='${xmlEscape(v.pool)}' name='${xmlEscape(v.volume)}'/>`).join('')
    const element = `<ocvm:import xmlns:ocvm='${OCVM_NS}'>${vols}</ocvm:import>`
    out = /<metadata>/.test(out)
      ? out.replace(/<metadata>/, `<metadata>\n    ${element}`)
      : out.replace(/(<\/name>)/, `$1\n  <metadata>\n    ${element}\n  </metadata>`)
  }
  return out
}
