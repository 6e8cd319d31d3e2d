import {OcvmError, type CpuArch, type DiskFormat, type GuestOs, type VmState} from 'ocvm'

// Parsers for what VBoxManage prints. Each one throws an OcvmError naming the tool on output it does
// not recognise, so a new VirtualBox release fails loudly here instead of three calls later.

function drift(what: string, sample: string): OcvmError {
  return new OcvmError('unexpected-output', `unexpected VBoxManage ${what} output: ${sample.slice(0, 120)}`, {
    hint: 'This VirtualBox version prints something ocvm-driver-virtualbox does not know; please report it with `VBoxManage --version`.',
  })
}

/** `VBoxManage --version` → `7.0.14r161095`. */
export function parseVersion(stdout: string): string {
  const line = stdout.trim().split('\n')[0] ?? ''
  if (!/^\d+\.\d+\.\d+/.test(line)) throw drift('--version', line)
  return line
}

/** `VBoxManage list vms` → `"name" {uuid}` per line. */
export function parseVmList(stdout: string): Array<{name: string; id: string}> {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((line) => {
    const m = /^"(.*)" \{([0-9a-f-]{36})\}$/i.exec(line.trim())
    if (!m) throw drift('list vms', line)
    return {name: m[1] ?? '', id: m[2] ?? ''}
  })
}

/** `showvminfo --machinereadable`: `key="value"` or `key=value` lines; keys may be quoted too. */
export function parseMachineReadable(stdout: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue
    const m = /^("(?:[^"\\]|\\.)*"|[^=]+)=(.*)$/.exec(line)
    if (!m) throw drift('showvminfo', line)
    const unquote = (s: string) => (s.startsWith('"') && s.endsWith('"') && s.length >= 2 ? s.slice(1, -1).replace(/\\(.)/g, '$1') : s)
    out.set(unquote(m[1] ?? ''), unquote(m[2] ?? ''))
  }
  return out
}

/** VMState (poweroff, running, paused, saved, aborted, starting, stopping, saving, restoring, …). */
export function vmState(raw: string | undefined): VmState {
  switch (raw) {
    case 'running': return 'running'
    case 'poweroff':
    case 'aborted': return 'stopped'
    case 'paused': return 'paused'
    case 'saved': return 'suspended'
    case undefined: return 'unknown'
    default: return 'busy'
  }
}

/** `ostype` as VirtualBox describes it (`Ubuntu (64-bit)`, `Ubuntu (ARM 64-bit)`, `Windows 11 (64-bit)`). */
export function guestOs(ostype: string | undefined): {os: GuestOs; arch: CpuArch} {
  const t = ostype ?? ''
  const os: GuestOs = /windows/i.test(t) ? 'windows' : /mac ?os|os x|darwin/i.test(t) ? 'macos' : /linux|ubuntu|debian|fedora|red ?hat|oracle|arch|opensuse|gentoo|mandriva|turbolinux|xandros/i.test(t) ? 'linux' : 'unknown'
  const arch: CpuArch = /arm ?64|aarch64/i.test(t) ? 'arm64' : /64-bit|x86_64|amd64/i.test(t) ? 'x86_64' : 'unknown'
  return {os, arch}
}

/** Attached disk images: `"SATA-0-0"="/path/disk.vdi"` (not `none`/`emptydrive`, not DVD images). */
export function attachedDisks(info: Map<string, string>): Array<{target: string; path: string; format: DiskFormat}> {
  const disks: Array<{target: string; path: string; format: DiskFormat}> = []
  for (const [key, value] of info) {
    if (!/^[A-Za-z0-9 _]+-\d+-\d+$/.test(key) || value === 'none' || value === 'emptydrive') continue
    const ext = /\.([a-z0-9]+)$/i.exec(value)?.[1]?.toLowerCase()
    const format: DiskFormat | undefined = ext === 'vdi' ? 'vdi' : ext === 'vmdk' ? 'vmdk' : ext === 'img' || ext === 'raw' ? 'raw' : ext === 'qcow2' ? 'qcow2' : ext === 'hdd' ? 'hdd' : undefined
    if (format) disks.push({target: key, path: value, format})
  }
  return disks
}

/** `showmediuminfo disk`: `Capacity: 20480 MBytes`, `Size on disk: 2345 MBytes` → bytes. */
export function parseMediumSizes(stdout: string): {virtualBytes: number; allocatedBytes: number} {
  const mb = (label: string) => {
    const m = new RegExp(`^${label}:\\s+(\\d+) MBytes$`, 'm').exec(stdout)
    if (!m) throw drift('showmediuminfo', stdout.split('\n')[0] ?? '')
    return Number(m[1]) * 1024 * 1024
  }
  return {virtualBytes: mb('Capacity'), allocatedBytes: mb('Size on disk')}
}

/** `guestproperty get`: `Value: 10.0.2.15`, or `No value set!` when the Guest Additions do not report one. */
export function parseGuestProperty(stdout: string): string | undefined {
  const m = /^Value: (.+)$/m.exec(stdout)
  return m?.[1]?.trim()
}

/** VBoxManage says a VM does not exist this way (stderr, exit 1). */
export function isVmNotFound(stderr: string): boolean {
  return /Could not find a registered machine named/.test(stderr)
}
