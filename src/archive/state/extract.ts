import {createHash} from 'node:crypto'
import {createReadStream} from 'node:fs'
import {PassThrough} from 'node:stream'

import {OcvmError} from '../../errors.js'
import type {Shell} from '../../hosts/shell.js'
import {diskFullError, isNoSpace} from '../../transfer/disk-space.js'
import type {Compression} from './format.js'

// Unpacks an already validated archive into a fresh 0700 dir on the target, streamed from this
// machine over ssh (the archive is never copied there first). Belt and braces on top of the
// validation: GNU tar never restores owners, xattrs, ACLs or SELinux labels, never replaces an
// existing file, and the decompressed stream is cut off at the length the validation read, so an
// archive swapped after it was checked cannot unpack more than the checked one.
const EXTRACT_SCRIPT = String.raw`
dest="$1"; z="$2"; limit="$3"
umask 077
mkdir -m 700 -- "$dest" || exit 3
cd -- "$dest" || exit 3
case "$z" in
  zstd) zstd -dcq ;;
  gzip) gzip -dc ;;
  *) cat ;;
esac | head -c "$limit" | tar -xpf - --no-same-owner --keep-old-files --delay-directory-restore --no-xattrs --no-acls --no-selinux --warning=no-timestamp
`

export interface ExtractOptions {
  target: Shell
  file: string
  dest: string
  compression: Compression
  tarBytes: number
  /** SHA-256 the archive had when it was validated. */
  sha256: string
  /** Unpacked bytes expected (for the disk-full message). */
  declaredBytes: number
  onProgress?: (archiveBytesSent: number) => void
  signal?: AbortSignal
}

export async function extractArchive(options: ExtractOptions): Promise<{wireBytes: number}> {
  const hash = createHash('sha256')
  let sent = 0
  const tap = new PassThrough({highWaterMark: 4 * 1024 * 1024})
  tap.on('data', (chunk: Buffer) => {
    hash.update(chunk)
    sent += chunk.length
    options.onProgress?.(sent)
  })
  createReadStream(options.file).pipe(tap)
  const result = await options.target.script(EXTRACT_SCRIPT, [options.dest, options.compression, String(options.tarBytes)], {stdin: tap, allowFailure: true, signal: options.signal, timeoutMs: 24 * 3600_000})
  const stderr = result.stderr.trim()
  if (result.exitCode !== 0 || stderr) {
    if (isNoSpace(stderr)) {
      throw await diskFullError(options.target, options.dest, {total: options.declaredBytes}, `Nothing was activated and the staging dir is removed; the archive and the target's existing files are untouched. Free space on ${options.target.label} (or choose another --target-state-dir) and import again.`)
    }
    throw new OcvmError('extract-failed', `unpacking the archive on ${options.target.label} failed: ${stderr.split('\n').pop() || `exit ${result.exitCode}`}`, {
      hint: 'Nothing was activated and the staging dir is removed. Check the target (tools, space) and import again.',
      details: {host: options.target.label},
    })
  }
  if (hash.digest('hex') !== options.sha256) {
    throw new OcvmError('archive-changed', `${options.file} changed while it was being imported (its SHA-256 is not the one that was checked)`, {hint: 'Nothing was activated and the staging dir is removed. Make sure nothing writes the archive, and import again.'})
  }
  return {wireBytes: sent}
}

// Moves each root out of the extraction dir into its own staging dir (next to its target), then
// removes what is left (metadata, an openclaw manifest). A root that is not a real dir is refused.
const RELOCATE_SCRIPT = String.raw`
x="$1"; shift
while [ $# -gt 1 ]; do
  src="$x/$1"; dst="$2"; shift 2
  if [ -L "$src" ]; then echo "$1 is a symlink" >&2; exit 4; fi
  if [ -d "$src" ]; then mv -- "$src" "$dst" || exit 5; else mkdir -m 700 -- "$dst" || exit 5; fi
done
rm -rf -- "$x"
`

export async function relocateRoots(target: Shell, extractDir: string, moves: ReadonlyArray<{archivePath: string; staging: string}>): Promise<void> {
  const result = await target.script(RELOCATE_SCRIPT, [extractDir, ...moves.flatMap((m) => [m.archivePath, m.staging])], {allowFailure: true, timeoutMs: 60 * 60_000})
  if (result.exitCode === 0) return
  if (isNoSpace(result.stderr)) throw await diskFullError(target, moves[0]?.staging ?? extractDir, {total: 0}, 'Nothing was activated and the staging dirs are removed. Free space on the target and import again.')
  throw new OcvmError('extract-failed', `could not move the unpacked roots into staging on ${target.label}: ${result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`}`, {hint: 'Nothing was activated and the staging dirs are removed.'})
}

export async function removeDir(target: Shell, dir: string): Promise<void> {
  if (/\/\.ocvm-staging-[^/]+$/.test(dir)) await target.exec(['rm', '-rf', '--', dir], {allowFailure: true, timeoutMs: 10 * 60_000})
}
