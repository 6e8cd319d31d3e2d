import type {Shell} from '../hosts/shell.js'
import {UnsupportedError} from '../errors.js'
import type {TargetOs} from './api.js'

/** What the target says it is: `/etc/os-release` on Linux, `sw_vers` on macOS. */
export interface OsInfo {
  os: TargetOs
  /** `debian`, `ubuntu`, `macos`. */
  id: string
  /** `12`, `15.1`. */
  version: string
  /** `Debian GNU/Linux 12 (bookworm)`, `macOS 15.1`. */
  name: string
}

/** Pure: `/etc/os-release` (KEY=value, values maybe quoted) → its fields. */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim())
    if (!m?.[1]) continue
    let value = m[2] ?? ''
    const quoted = /^"((?:[^"\\]|\\.)*)"$/.exec(value) ?? /^'([^']*)'$/.exec(value)
    if (quoted) value = (quoted[1] ?? '').replace(/\\(["\\$`])/g, '$1')
    out[m[1]] = value
  }
  return out
}

/** Pure: `sw_vers` output (`ProductName:\tmacOS`, `ProductVersion:\t15.1`) → its fields. */
export function parseSwVers(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^(\w+):\s*(.*)$/.exec(line.trim())
    if (m?.[1]) out[m[1]] = (m[2] ?? '').trim()
  }
  return out
}

// One round trip: the kernel name, then whichever of the two sources the host has.
const DETECT = String.raw`
uname -s
echo '--sw_vers--'
if command -v sw_vers >/dev/null 2>&1; then sw_vers; fi
echo '--os-release--'
if [ -r /etc/os-release ]; then cat /etc/os-release; elif [ -r /usr/lib/os-release ]; then cat /usr/lib/os-release; fi
`

/** Pure: the DETECT script's output → OsInfo. */
export function parseOsDetect(stdout: string, hostLabel: string): OsInfo {
  const [kernelPart = '', rest = ''] = stdout.split('--sw_vers--\n')
  const [swPart = '', releasePart = ''] = rest.split('--os-release--\n')
  const kernel = kernelPart.trim()
  if (kernel === 'Darwin') {
    const sw = parseSwVers(swPart)
    const version = sw.ProductVersion ?? ''
    return {os: 'macos', id: 'macos', version, name: `${sw.ProductName ?? 'macOS'} ${version}`.trim()}
  }
  if (kernel === 'Linux') {
    const rel = parseOsRelease(releasePart)
    return {os: 'linux', id: rel.ID ?? 'linux', version: rel.VERSION_ID ?? '', name: rel.PRETTY_NAME ?? rel.NAME ?? 'Linux'}
  }
  throw new UnsupportedError(`${hostLabel} runs ${kernel || 'an unknown OS'}; post-migrate hooks support Linux and macOS`, 'Run the hooks on a Linux or macOS target (or inside the guest).')
}

export async function detectOs(shell: Shell): Promise<OsInfo> {
  const result = await shell.script(DETECT, [], {timeoutMs: 30_000})
  return parseOsDetect(result.stdout, shell.label)
}
