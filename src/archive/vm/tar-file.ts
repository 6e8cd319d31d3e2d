import {createReadStream} from 'node:fs'

import {OcvmError} from '../../errors.js'
import type {Shell} from '../../hosts/shell.js'
import {badArchive, VM_MANIFEST} from './manifest.js'

/**
 * A VM export as one file: the export dir packed by GNU tar with `--sparse` (holes stay holes, a
 * 40 GiB disk holding 2 GiB takes 2 GiB), and read back without unpacking it here first.
 */

const TIMEOUT = 6 * 60 * 60_000

export function isTarPath(out: string): boolean {
  return /\.tar$/i.test(out)
}

/** Packs `dir` (the manifest and the top-level entries given) into `file` (0600). */
export async function packDir(local: Shell, dir: string, entries: readonly string[], file: string): Promise<void> {
  await local.script('umask 077; d="$1"; f="$2"; shift 2; tar --sparse --format=gnu -C "$d" -cf "$f" -- "$@"', [dir, file, ...entries], {timeoutMs: TIMEOUT})
}

/** The manifest's text, read out of the packed export without unpacking the disks. */
export async function readPackedManifest(local: Shell, file: string): Promise<string> {
  const manifest = await local.exec(['tar', '-xOf', file, VM_MANIFEST], {timeoutMs: TIMEOUT, allowFailure: true})
  if (manifest.exitCode !== 0) throw badArchive(file, `tar finds no ${VM_MANIFEST} in it (${manifest.stderr.trim().split('\n').pop() ?? ''})`)
  return manifest.stdout
}

/**
 * Checks a packed export's members before it is unpacked anywhere: regular files and dirs only (no
 * links, devices or fifos), each one a name the manifest expects. Reads headers, not the data.
 */
export async function checkPackedMembers(local: Shell, file: string, allowed: (name: string) => boolean): Promise<void> {
  const types = await local.script('tar -tvf "$1" | cut -c1 | sort -u', [file], {timeoutMs: TIMEOUT, allowFailure: true})
  const names = await local.exec(['tar', '-tf', file], {timeoutMs: TIMEOUT, allowFailure: true})
  if (types.exitCode !== 0 || names.exitCode !== 0) throw badArchive(file, `tar cannot read it (${(names.stderr || types.stderr).trim().split('\n').pop() ?? ''})`)
  const odd = types.stdout.split('\n').filter((t) => t !== '' && t !== '-' && t !== 'd')
  if (odd.length > 0) throw badArchive(file, `it holds links or special files (tar types ${odd.join(', ')}), which ocvm never writes`)
  const stray = names.stdout.split('\n').filter((n) => n !== '').map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter((n) => n !== '' && n !== '.' && !allowed(n))
  if (stray.length > 0) throw badArchive(file, `unexpected member ${JSON.stringify(stray[0])}`)
}

/** Streams the packed export from this machine into `dir` on the target (0700), unpacked there. */
export async function unpackTo(target: Shell, file: string, dir: string, signal?: AbortSignal): Promise<void> {
  const r = await target.script('umask 077; mkdir -p -- "$1" && cd -- "$1" && tar -xf - --no-same-owner --warning=no-timestamp', [dir], {
    stdin: createReadStream(file), allowFailure: true, timeoutMs: TIMEOUT, ...(signal ? {signal} : {}),
  })
  if (r.exitCode !== 0) {
    throw new OcvmError('transfer-failed', `unpacking ${file} on ${target.label} failed: ${r.stderr.trim().split('\n').pop() ?? `exit ${r.exitCode}`}`, {hint: 'Nothing was imported; the staging dir is removed. Check free space on the target and run again.'})
  }
}
