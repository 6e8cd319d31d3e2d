import type {DiskFormat} from '../api.js'

/**
 * argv builders for `virsh` and `qemu-img`. Pure: the driver runs them through a host Shell, which
 * quotes every argument for the remote shell. Domain, pool and volume names always follow their
 * option (`--domain NAME`), so a name that starts with `-` is still a name.
 */

export const DEFAULT_URI = 'qemu:///system'

/** Timeouts per kind of call: virsh must never hang a migration (a dead daemon, a stuck ssh). */
export const TIMEOUTS = {
  query: 60_000,
  lifecycle: 120_000,
  upload: 6 * 60 * 60_000,
} as const

export function virsh(uri: string, ...args: string[]): string[] {
  return ['virsh', '-c', uri, ...args]
}

export const listNames = (uri: string, which: 'all' | 'running' | 'paused') =>
  virsh(uri, 'list', '--name', which === 'all' ? '--all' : which === 'running' ? '--state-running' : '--state-paused')
export const dominfo = (uri: string, name: string) => virsh(uri, 'dominfo', '--domain', name)
export const domstate = (uri: string, name: string) => virsh(uri, 'domstate', '--domain', name, '--reason')
/** The persistent definition, without host-specific runtime bits and without secrets (no --security-info). */
export const dumpxmlInactive = (uri: string, name: string) => virsh(uri, 'dumpxml', '--domain', name, '--inactive', '--migratable')
export const dumpxml = (uri: string, name: string) => virsh(uri, 'dumpxml', '--domain', name)
/** The running definition as a migration target must see it (no host-specific runtime additions). */
export const dumpxmlMigratable = (uri: string, name: string) => virsh(uri, 'dumpxml', '--domain', name, '--migratable')
export const domblklist = (uri: string, name: string) => virsh(uri, 'domblklist', '--domain', name, '--details', '--inactive')
export const domifaddr = (uri: string, name: string, source: 'lease' | 'agent' | 'arp') => virsh(uri, 'domifaddr', '--domain', name, '--source', source)
export const shutdown = (uri: string, name: string) => virsh(uri, 'shutdown', '--domain', name)
export const destroy = (uri: string, name: string) => virsh(uri, 'destroy', '--domain', name)
export const autostart = (uri: string, name: string, on: boolean) => virsh(uri, 'autostart', '--domain', name, ...(on ? [] : ['--disable']))
export const start = (uri: string, name: string) => virsh(uri, 'start', '--domain', name)
export const define = (uri: string, file: string) => virsh(uri, 'define', '--file', file)
export const undefine = (uri: string, name: string) => virsh(uri, 'undefine', '--domain', name)
export const poolInfo = (uri: string, pool: string) => virsh(uri, 'pool-info', '--pool', pool)
export const poolDumpxml = (uri: string, pool: string) => virsh(uri, 'pool-dumpxml', '--pool', pool)
export const poolRefresh = (uri: string, pool: string) => virsh(uri, 'pool-refresh', '--pool', pool)
export const volInfo = (uri: string, pool: string, vol: string) => virsh(uri, 'vol-info', '--pool', pool, '--vol', vol, '--bytes')
export const volPath = (uri: string, pool: string, vol: string) => virsh(uri, 'vol-path', '--pool', pool, '--vol', vol)
export const volDelete = (uri: string, pool: string, vol: string) => virsh(uri, 'vol-delete', '--pool', pool, '--vol', vol)

/** A sparse volume of `capacityBytes` (no preallocation: `--allocation 0`), in the image's own format. */
export function volCreateAs(uri: string, pool: string, vol: string, capacityBytes: number, format: DiskFormat): string[] {
  return virsh(uri, 'vol-create-as', '--pool', pool, '--name', vol, '--capacity', String(capacityBytes), '--allocation', '0', '--format', format)
}

/** Uploads the file's bytes as they are; `--sparse` skips its holes (SEEK_DATA/SEEK_HOLE), so a sparse file stays sparse. */
export function volUpload(uri: string, pool: string, vol: string, file: string): string[] {
  return virsh(uri, 'vol-upload', '--pool', pool, '--vol', vol, '--file', file, '--sparse')
}

export interface LiveMigrateArgs {
  uri: string
  name: string
  targetUri: string
  /** `tcp://HOST` for QEMU's migration stream and the NBD disk copy; needed when the target's hostname does not resolve. */
  migrateUri?: string
  /** Rewritten domain XML for the target (file on the host running virsh): the running definition. */
  xmlFile?: string
  /** The same for the persistent definition the target keeps (`--persistent`). */
  persistentXmlFile?: string
}

/** `virsh migrate --live --copy-storage-all --persistent --undefinesource`: the domain keeps running while its disks move. */
export function migrateLive(a: LiveMigrateArgs): string[] {
  return virsh(
    a.uri,
    'migrate',
    '--live',
    '--copy-storage-all',
    '--persistent',
    '--undefinesource',
    '--domain',
    a.name,
    '--desturi',
    a.targetUri,
    ...(a.migrateUri ? ['--migrateuri', a.migrateUri, '--disks-uri', a.migrateUri] : []),
    ...(a.xmlFile ? ['--xml', a.xmlFile] : []),
    ...(a.persistentXmlFile ? ['--persistent-xml', a.persistentXmlFile] : []),
  )
}

/** `-U`: read the header even while QEMU holds the image (inspect of a running domain); the chain comes as an array. */
export function qemuImgInfo(path: string): string[] {
  return ['qemu-img', 'info', '--output=json', '--backing-chain', '-U', '--', path]
}

/**
 * One standalone image with the data of the whole chain under `file` (`--flatten`), in the same
 * format. Sparse: unallocated and zero clusters are not written. `-f` names the top's format so
 * qemu-img never probes it.
 */
export function qemuImgFlatten(file: string, format: DiskFormat, out: string): string[] {
  return ['qemu-img', 'convert', '-f', format, '-O', format, '--', file, out]
}

/**
 * Points an overlay at its backing file's new path without touching data (`-u`: header only; the
 * backing's content is the same bytes, moved). `-F` records the backing format so it is never probed.
 */
export function qemuImgRebase(file: string, format: DiskFormat, backing: string, backingFormat: string): string[] {
  return ['qemu-img', 'rebase', '-u', '-f', format, '-b', backing, '-F', backingFormat, '--', file]
}

/**
 * virsh's own command-line syntax (commands fed on stdin, used for guest-agent calls so their
 * payload never shows up in a process's argv): a double-quoted word in which `\` escapes.
 */
export function virshWord(value: string): string {
  return `"${value.replaceAll(/[\\"]/g, (c) => `\\${c}`)}"`
}

export function agentCommandLine(name: string, json: string): string {
  return `qemu-agent-command --domain ${virshWord(name)} ${virshWord(json)}`
}
