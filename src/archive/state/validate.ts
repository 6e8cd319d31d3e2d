import {posix} from 'node:path'

import type {TarEntry} from './tar.js'

// Decides, entry by entry and before anything is extracted, whether an archive is safe to unpack
// into a staging dir: every name must stay inside it, nothing may be written through a symlink,
// links may not point out of it, no device nodes, fifos or set-id bits, and the declared sizes must
// stay under a bound (a tiny archive that declares 10 GB of zeros is refused at its first header).

export interface ValidatorOptions {
  /** Refuse once the declared sizes add up to more than this. */
  maxTotalBytes: number
}

export class ArchiveRefusal extends Error {
  constructor(readonly entry: string, readonly reason: string) {
    super(`${entry}: ${reason}`)
  }
}

export class EntryValidator {
  totalBytes = 0
  entries = 0
  private readonly seen = new Map<string, TarEntry['type']>()
  private readonly symlinks = new Set<string>()

  constructor(private readonly options: ValidatorOptions) {}

  /** Returns the normalized relative path, or throws ArchiveRefusal. */
  check(entry: TarEntry): string {
    const rel = safeRelative(entry.name)
    this.entries++
    if (entry.sparse) throw new ArchiveRefusal(entry.name, 'a sparse-file member (not something ocvm writes; refusing rather than guessing its real size)')
    switch (entry.type) {
      case 'file': case 'dir': break
      case 'symlink': {
        const target = entry.linkName
        if (target === '' || target.includes('\0')) throw new ArchiveRefusal(entry.name, 'a symlink with an empty target')
        if (posix.isAbsolute(target)) throw new ArchiveRefusal(entry.name, `a symlink to the absolute path ${target}, outside the archive`)
        const resolved = posix.normalize(posix.join(posix.dirname(rel), target))
        if (resolved === '..' || resolved.startsWith('../')) throw new ArchiveRefusal(entry.name, `a symlink to ${target}, which escapes the extraction dir`)
        break
      }
      case 'hardlink': {
        const target = safeRelative(entry.linkName, `hard link target ${entry.linkName}`)
        if (this.seen.get(target) !== 'file') throw new ArchiveRefusal(entry.name, `a hard link to ${entry.linkName}, which is not a regular file earlier in the archive`)
        break
      }
      default:
        throw new ArchiveRefusal(entry.name, `a ${entry.type === 'other' ? `type '${entry.flag}'` : entry.type} entry (only files, dirs and links are allowed)`)
    }
    if ((entry.mode & 0o6000) !== 0) throw new ArchiveRefusal(entry.name, 'has the setuid/setgid bit')
    // A name under an earlier symlink would make tar write wherever that symlink points.
    for (let dir = posix.dirname(rel); dir !== '.'; dir = posix.dirname(dir)) {
      if (this.symlinks.has(dir)) throw new ArchiveRefusal(entry.name, `is inside ${dir}, which the archive made a symlink (tar would write through it)`)
    }
    const before = this.seen.get(rel)
    if (before !== undefined && !(before === 'dir' && entry.type === 'dir')) throw new ArchiveRefusal(entry.name, 'appears twice in the archive (a later copy could replace a checked one)')
    this.seen.set(rel, entry.type)
    if (entry.type === 'symlink') this.symlinks.add(rel)
    this.totalBytes += entry.type === 'file' ? entry.size : 0
    if (this.totalBytes > this.options.maxTotalBytes) {
      throw new ArchiveRefusal(entry.name, `declares ${entry.size} bytes, which brings the archive to ${this.totalBytes} bytes unpacked, over the limit of ${this.options.maxTotalBytes} (a decompression bomb, or a target too small)`)
    }
    return rel
  }
}

/** Normalizes a member name to a relative path; refuses absolute names and `..` components. */
export function safeRelative(name: string, what = 'name'): string {
  if (name === '' || name.includes('\0')) throw new ArchiveRefusal(name, `an empty ${what}`)
  if (name.startsWith('/')) throw new ArchiveRefusal(name, `an absolute ${what} (it would be written outside the extraction dir)`)
  const parts = name.split('/').filter((p) => p !== '' && p !== '.')
  if (parts.includes('..')) throw new ArchiveRefusal(name, `a ${what} with a '..' component (it could climb out of the extraction dir)`)
  return parts.length === 0 ? '.' : parts.join('/')
}
