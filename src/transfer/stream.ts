import {PassThrough, Readable} from 'node:stream'

import {OcvmError} from '../errors.js'
import {DirectPipe} from '../exec/direct-pipe.js'
import type {Shell} from '../hosts/shell.js'
import {diskFullError, isNoSpace} from './disk-space.js'
import {CANONICAL_TAR_PY} from './canonical-tar.js'
import {FIND_PYTHON} from './python.js'
import {SPARSE_RECEIVER_PY} from './sparse-receiver.js'

export interface StreamTreeOptions {
  source: Shell
  target: Shell
  /** Directory on the source the paths are relative to. */
  sourceRoot: string
  /**
   * Relative paths to send, directories included (sent without recursion): a list, or a stream of
   * NUL-terminated paths (a tree's worth of names never has to be one string in memory).
   */
  paths: readonly string[] | Readable
  /** Directory on the target to unpack into (created 0700 if missing). */
  targetDir: string
  /** zstd on both ends: compress on the wire. */
  compress: boolean
  /**
   * With `digest` and `compress`: zstd only when a sample of the archive compresses (by 10 % or
   * more). Incompressible data (random, encrypted, already compressed) then goes as it is, sparing
   * both ends a zstd and a pipe stage that cannot make the transfer shorter.
   */
  adaptive?: boolean
  /** Keep holes: tar reads only the data of sparse files and recreates the holes (disk images). */
  sparse?: boolean
  /**
   * With `sparse`: who packs and unpacks a disk. `auto` (default): Python where a host has Python 3
   * (1 MiB reads and writes, see canonical-tar.ts and sparse-receiver.ts), else GNU tar; `tar`: GNU
   * tar on both ends, as hosts without Python 3 get.
   */
  tools?: 'auto' | 'tar'
  /** Called with the uncompressed bytes sent so far (from the packer's checkpoints). */
  onProgress?: (bytes: number) => void
  signal?: AbortSignal
  /** The source is live (--precopy): files that change or vanish while read are skipped, not an error. */
  live?: boolean
  /** Bytes expected in total (for the message when the target fills up). */
  totalBytes?: number
  /** The hint when the target fills up, for callers whose flags and recovery differ (VM disks). */
  diskFullHint?: string
  /**
   * Pack the files as a canonical archive (see CANONICAL_TAR) and SHA-256 it on the source while it
   * is sent (before zstd): for one file, the result's `digest` is that file's `tar`/`tar-sparse`
   * digest (transfer/files.ts), without a second read. The stream then goes straight from the
   * source's ssh to the target's (a DirectPipe), not through this process.
   */
  digest?: boolean
}

export interface StreamTreeResult {
  wireBytes: number
  /** With `digest`: SHA-256 of the canonical archive as packed on the source. */
  digest?: string
  /** With `adaptive`: whether the sample compressed, so zstd was used. */
  compressed?: boolean
}

/**
 * Flags that make GNU tar's archive of a file depend on its name, contents and holes only (no
 * owner, mode or times), so the same file packed on either host hashes the same.
 */
export const CANONICAL_TAR = '--format=gnu --numeric-owner --owner=0 --group=0 --mode=0600 --mtime=@0 -b 2048'

/** sh: `h` reads stdin and prints its SHA-256 first (OpenSSL where present: it uses the CPU's SHA instructions). */
export const HASH_FN = String.raw`h() {
  if command -v openssl >/dev/null 2>&1 && openssl dgst -sha256 -r </dev/null >/dev/null 2>&1; then openssl dgst -sha256 -r
  elif command -v sha256sum >/dev/null 2>&1; then sha256sum
  else shasum -a 256; fi
}`

// tar reports the bytes it has written every CHECKPOINT records of 10 KiB: our progress signal,
// independent of compression.
const CHECKPOINT_RECORDS = 50
const CHECKPOINT_RE = /OCVM-PROGRESS:(\d+)/
const DIGEST_RE = /^OCVM-DIGEST:([0-9a-f]{64})$/
const WIRE_RE = /^OCVM-WIRE:(\d+)$/
const COMPRESS_RE = /^OCVM-COMPRESS:([01])$/
// How much of the archive the adaptive sender compresses to decide (the first MiBs of data).
const SAMPLE_BYTES = 16 * 1024 * 1024

const SEND_SCRIPT = String.raw`
root="$1"; z="$2"; cp="$3"; sparse="$4"; live="$5"
cd -- "$root" || exit 3
set -- --null --no-recursion -T - --checkpoint="$cp" --checkpoint-action='echo=OCVM-PROGRESS:%{w}T'
[ "$sparse" = 1 ] && set -- "$@" --sparse
[ "$live" = 1 ] && set -- "$@" --ignore-failed-read --warning=no-file-changed --warning=no-file-removed --warning=no-failed-read
if [ "$z" = 1 ]; then
  tar "$@" -cf - | zstd -1 -q -T0
else
  tar "$@" -cf -
fi
`

// A disk: the stream goes straight to the target's ssh, so the source hashes the canonical archive
// and counts the bytes it sends (OCVM-DIGEST, OCVM-WIRE on stderr). Python does both as it packs,
// with 1 MiB reads, where the host has it and the stream is plain (see canonical-tar.ts). Otherwise
// GNU tar packs, tee feeds the hasher through a fifo (POSIX sh has no process substitution) and dd
// counts what leaves; tar's and zstd's exit statuses are kept in files, since a pipeline only
// reports its last command's.
// z=a (adaptive): the first $5 bytes of the archive are packed and compressed first; the stream
// then starts with one byte telling the receiver what follows: Z (zstd) or T (plain tar), which
// OCVM-WIRE does not count.
const SEND_DIGEST_SCRIPT = String.raw`
root="$1"; z="$2"; cp="$3"; sparse="$4"; sample="$5"; canon="$6"
${HASH_FN}
${FIND_PYTHON}
cd -- "$root" || exit 3
t=$(mktemp -d) || exit 3
trap 'rm -rf "$t"' EXIT
cat >"$t/list" || exit 3
set -- --null --no-recursion -T "$t/list" ${CANONICAL_TAR}
[ "$sparse" = 1 ] && set -- "$@" --sparse
if [ "$z" = a ]; then
  tar "$@" -cf - 2>/dev/null | head -c "$sample" >"$t/s"
  n=$(wc -c <"$t/s"); c=$(zstd -1 -q -c <"$t/s" | wc -c); rm -f "$t/s"
  if [ "$c" -lt $((n * 9 / 10)) ]; then z=1; printf Z; else z=0; printf T; fi || exit 3
  echo "OCVM-COMPRESS:$z" >&2
fi
if [ "$z" != 1 ] && [ -n "$canon" ] && py=$(find_python); then
  "$py" -c "$canon" cat . "$t/list" $((cp * 1048576)) </dev/null; rc=$?
  [ "$rc" = 3 ] || exit "$rc"
fi
set -- "$@" --checkpoint="$cp" --checkpoint-action='echo=OCVM-PROGRESS:%{w}T'
mkfifo "$t/f" || exit 3
h <"$t/f" >"$t/sum" &
count() { LC_ALL=C dd bs=1048576 2>"$t/dd"; }
if [ "$z" = 1 ]; then
  { tar "$@" -cf -; echo $? >"$t/rc"; } | tee "$t/f" | { zstd -1 -q -T0; echo $? >"$t/zrc"; } | count
else
  echo 0 >"$t/zrc"
  { tar "$@" -cf -; echo $? >"$t/rc"; } | tee "$t/f" | count
fi
rc=$?
wait
[ "$rc" = 0 ] || exit "$rc"
[ "$(cat "$t/rc")" = 0 ] && [ "$(cat "$t/zrc")" = 0 ] || exit 4
printf 'OCVM-DIGEST:%.64s\n' "$(cat "$t/sum")" >&2
# GNU dd: "N bytes (...) copied", BSD dd: "N bytes transferred".
printf 'OCVM-WIRE:%s\n' "$(sed -n 's/^\([0-9][0-9]*\) bytes.*/\1/p' "$t/dd" | tail -n 1)" >&2
`

// Unpacks as the login user, never restoring owners from the archive; refuses absolute names and `..`
// (GNU tar's defaults). Directories that already exist get the archive's mode: tar sets a dir's mode
// only after its contents, so an interrupted stream leaves dirs at the umask's 0700 and the re-sent
// dir entry of --resume must repair them (--no-overwrite-dir made every interrupted run fail verify).
// A disk stream is unpacked by the Python receiver ($3, see sparse-receiver.ts) where the host has
// Python 3, else by GNU tar.
const RECEIVE_SCRIPT = String.raw`
dest="$1"; z="$2"; receiver="$3"
umask 077
mkdir -p -- "$dest" || exit 3
cd -- "$dest" || exit 3
# Adaptive sender: its first byte says whether zstd follows (dd reads exactly that byte).
if [ "$z" = a ]; then
  case "$(dd bs=1 count=1 2>/dev/null)" in Z) z=1 ;; T) z=0 ;; *) echo 'the stream does not start with Z or T' >&2; exit 5 ;; esac
fi
${FIND_PYTHON}
py=''
[ -n "$receiver" ] && py=$(find_python </dev/null)
# tar stops reading at the end-of-archive marker: the rest of the last record is drained (after a
# success only), or the sender would see a broken pipe. The Python receiver drains it itself.
x() {
  if [ -n "$py" ]; then "$py" -c "$receiver"; return; fi
  tar -xpf - --no-same-owner --warning=no-timestamp; rc=$?; [ "$rc" = 0 ] && cat >/dev/null; return "$rc"
}
if [ "$z" = 1 ]; then
  zstd -d -q | x
else
  x
fi
`

/**
 * Streams files from one host to another through this machine (agentless: the hosts never need to
 * reach each other): `tar | zstd` on the source, `zstd -d | tar -x` on the target. A tree is relayed
 * here with backpressure (counting its bytes); a disk (`digest`) goes through a DirectPipe between
 * the two ssh processes, and the source counts and hashes it. Memory use is bounded by the pipe
 * buffers, whatever the size of the tree.
 */
export async function streamTree(options: StreamTreeOptions): Promise<StreamTreeResult> {
  const z = options.compress ? (options.adaptive && options.digest ? 'a' : '1') : '0'
  let bytes = 0
  let relayed = 0
  let sentWire: number | undefined
  let digest: string | undefined
  let compressed: boolean | undefined
  const pipe = options.digest ? new DirectPipe() : undefined
  const relay = pipe ? undefined : new PassThrough({highWaterMark: 1024 * 1024})
  relay?.on('data', (chunk: Buffer) => {
    relayed += chunk.length
  })
  const list = options.paths instanceof Readable ? {stdin: options.paths} : {input: options.paths.map((p) => `${p}\0`).join('')}
  const python = options.sparse && options.tools !== 'tar'

  const receiving = options.target.script(RECEIVE_SCRIPT, [options.targetDir, z, python ? SPARSE_RECEIVER_PY : ''], {stdin: pipe ?? relay, allowFailure: true, signal: options.signal})
    .finally(() => pipe?.close())
  const sendArgs = options.digest ? [options.sourceRoot, z, String(CHECKPOINT_RECORDS), options.sparse ? '1' : '0', String(SAMPLE_BYTES), python ? CANONICAL_TAR_PY : ''] : [options.sourceRoot, z, String(CHECKPOINT_RECORDS), options.sparse ? '1' : '0', options.live ? '1' : '0']
  const sending = options.source.script(options.digest ? SEND_DIGEST_SCRIPT : SEND_SCRIPT, sendArgs, {
    ...list,
    stdout: pipe ?? relay,
    allowFailure: true,
    signal: options.signal,
    onStderrLine(line) {
      const text = line.trim()
      const d = DIGEST_RE.exec(text)
      if (d?.[1]) digest = d[1]
      const w = WIRE_RE.exec(text)
      if (w?.[1]) sentWire = Number(w[1])
      const c = COMPRESS_RE.exec(text)
      if (c?.[1]) compressed = c[1] === '1'
      const m = CHECKPOINT_RE.exec(line)
      if (m?.[1]) {
        bytes = Number(m[1])
        options.onProgress?.(bytes)
      }
    },
  }).finally(() => {
    relay?.end()
    pipe?.close()
  })

  const [sent, received] = await Promise.allSettled([sending, receiving])
  if (sent.status === 'rejected') throw brokenStream(sent.reason, options.source.label)
  if (received.status === 'rejected') throw brokenStream(received.reason, options.target.label)
  // GNU tar exits 1 when a file changed while it was read: expected on a live source.
  const sendFailed = sent.value.exitCode !== 0 && !(options.live && sent.value.exitCode === 1)
  const sendErr = sendFailed ? sent.value.stderr.split('\n').filter((l) => ![CHECKPOINT_RE, DIGEST_RE, WIRE_RE, COMPRESS_RE].some((re) => re.test(l.trim()))).join('\n').trim() : ''
  const recvErr = received.value.exitCode !== 0 ? received.value.stderr.trim() : ''
  if (isNoSpace(recvErr)) {
    throw await diskFullError(options.target, options.targetDir, {done: bytes, total: options.totalBytes ?? bytes}, options.diskFullHint ?? `Nothing was activated and the staging dir is removed; the source is untouched. Free space on ${options.target.label} (or choose another --target-state-dir) and run the migration again.`)
  }
  if (recvErr || received.value.exitCode !== 0) {
    throw new OcvmError('transfer-failed', `unpacking on ${options.target.label} failed: ${lastLine(recvErr) || `exit ${received.value.exitCode}`}`, {
      hint: 'Run again with --resume: what already arrived is kept and verified, the rest is sent.',
      details: {host: options.target.label},
    })
  }
  if (sendErr || sendFailed) {
    throw new OcvmError('transfer-failed', `packing on ${options.source.label} failed: ${lastLine(sendErr) || `exit ${sent.value.exitCode}`}`, {
      hint: 'Run again with --resume: what already arrived is kept and verified, the rest is sent.',
      details: {host: options.source.label},
    })
  }
  if (!pipe) return {wireBytes: relayed}
  if (!digest || sentWire === undefined) {
    throw new OcvmError('transfer-failed', `packing on ${options.source.label} gave no checksum`, {hint: 'Run again with --resume; if it happens again, check that the host has GNU tar, mkfifo, dd and sha256sum (or openssl).', details: {host: options.source.label}})
  }
  // The adaptive stream's first byte (Z or T) is not part of what the source counted.
  return {wireBytes: sentWire + (z === 'a' ? 1 : 0), digest, ...(compressed === undefined ? {} : {compressed})}
}

/**
 * A connection that dies mid-stream surfaces as whatever the pipe saw first (EPIPE on the relay, a
 * killed ssh): that is a transfer failure the user resumes, not a bug in ocvm.
 */
function brokenStream(reason: unknown, host: string): unknown {
  if (reason instanceof OcvmError || isCancellation(reason)) return reason
  const message = reason instanceof Error ? reason.message : String(reason)
  return new OcvmError('transfer-failed', `the stream to/from ${host} broke: ${lastLine(message) || 'connection lost'}`, {
    hint: 'Run again with --resume: what already arrived is kept and verified, the rest is sent.',
    details: {host},
  })
}

/** A cancelled run (Ctrl-C) keeps its own error. */
function isCancellation(reason: unknown): boolean {
  return reason instanceof Error && (reason.name === 'AbortError' || /interrupted|terminated|aborted/i.test(reason.message))
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? ''
}
