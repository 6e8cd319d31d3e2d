import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import {RecordFileWriter} from './record-files.js'

// Lists or hashes a tree on a host, sorted, in the record formats of tree-records.ts. `find -path`
// patterns after the root are skipped (pruned). GNU find, sort and sha256sum, awk (-z keeps any file
// name intact). Exit 3: the root does not exist; 4: something could not be read.
//
// Hashing runs one sha256sum per core (at most 8): big files one per worker, small ones in batches
// of 1000 (a process per few files costs more than it saves);
// each worker appends to its own file, so records never interleave, and the result is sorted anyway.
// A live tree (gateway running, --precopy) may lose files while it is read: that is not an error
// there (an entry without a hash is simply sent again by the final pass).
const TREE_SCRIPT = String.raw`
what="$1"; live="$2"; root="$3"; seed="$4"; shift 4
# A missing root can start as a copy of another tree (cloned where the filesystem can); a copy
# that fails (a full disk) is removed, and the root stays missing.
if [ -n "$seed" ] && [ ! -e "$root" ] && [ ! -L "$root" ] && [ -d "$seed" ] && [ ! -L "$seed" ]; then
  if cp -a --reflink=auto -- "$seed" "$root" 2>/dev/null || { rm -rf -- "$root"; cp -a -- "$seed" "$root"; }; then
    chmod 700 -- "$root"; echo OCVM-SEEDED >&2
  else
    rm -rf -- "$root"
  fi
fi
cd -- "$root" 2>/dev/null || exit 3
first=1
for p in "$@"; do
  if [ "$first" = 1 ]; then set -- \( -path "$p"; first=0; else set -- "$@" -o -path "$p"; fi
done
[ "$first" = 0 ] && set -- "$@" \) -prune -o
[ "$live" = 1 ] && exec 2>/dev/null
exec 4>&1
if [ "$what" = hash ]; then
  t=$(mktemp -d) || exit 4
  trap 'rm -rf "$t"' EXIT HUP INT TERM
  n=$(nproc 2>/dev/null || echo 1); [ "$n" -gt 8 ] && n=8
  bad=0
  find . -mindepth 1 "$@" -type f \( -size +1024k -fprint0 "$t/big" -o -fprint0 "$t/small" \) || bad=1
  xargs -0 -r -P "$n" -n 1 sh -c 'sha256sum -z -- "$@" >> "$0/h.$$"' "$t" < "$t/big" || bad=1
  xargs -0 -r -P "$n" -n 1000 sh -c 'sha256sum -z -- "$@" >> "$0/h.$$"' "$t" < "$t/small" || bad=1
  [ "$bad" = 0 ] || [ "$live" = 1 ] || exit 4
  # "HASH  ./PATH" becomes "PATH<TAB>HASH" (awk with a NUL record separator: mawk and gawk).
  st=$( { cat "$t"/h.* 2>/dev/null | LC_ALL=C awk 'BEGIN { RS = "\0"; ORS = "\0" } { print substr($0, 69) "\t" substr($0, 1, 64) }' | { LC_ALL=C sort -z >&4; echo "s$?" >&3; }; } 3>&1 )
  case "$st" in s0) exit 0;; *) exit 4;; esac
fi
m=''; [ "$what" = list-mtime ] && m='\t%T@'
st=$( { { find . -mindepth 1 "$@" \( -type f -printf "%P\t\tf\t%m\t%s$m\0" \) -o \( -type l -printf "%P\t%l\tl\t0\t%s$m\0" \) \
  -o \( -type d -printf "%P\t\td\t%m\t0$m\0" \) -o -printf "%P\t\to\t%m\t0$m\0"; echo "f$?" >&3; } | { LC_ALL=C sort -z >&4; echo "s$?" >&3; }; } 3>&1 )
case "$st" in *s0*) ;; *) exit 4;; esac
case "$st" in *f0*) ;; *) [ "$live" = 1 ] || exit 4;; esac
exit 0
`

export type TreeRecordKind = 'list' | 'list-mtime' | 'hash'

export interface FetchTreeOptions {
  kind: TreeRecordKind
  /** `find -path` patterns relative to the root (`./memory`, `./extensions/* /node_modules`). */
  exclude?: readonly string[]
  /** The tree may change while it is read (--precopy): vanished files are not an error. */
  live?: boolean
  signal?: AbortSignal
  /** When the root does not exist, start it as a copy of this dir on the same host first. */
  seedFrom?: string
  /** Called when the root was seeded so. */
  onSeeded?: () => void
  /** Called with each record as it arrives (counting, figures). */
  onRecord?: (record: Buffer) => void
}

/**
 * Lists (or hashes) a tree on a host into a local file of sorted records. Returns false when the
 * root does not exist (nothing is written then).
 */
export async function fetchTree(shell: Shell, root: string, file: string, options: FetchTreeOptions): Promise<boolean> {
  const writer = new RecordFileWriter(file, options.onRecord)
  let result
  try {
    result = await shell.script(TREE_SCRIPT, [options.kind, options.live ? '1' : '0', root, options.seedFrom ?? '', ...(options.exclude ?? [])], {
      stdout: writer, allowFailure: true, timeoutMs: 6 * 60 * 60_000, ...(options.signal ? {signal: options.signal} : {}),
    })
  } catch (error) {
    await writer.discard()
    throw error
  }
  // A record the parser refused stops the stream: that is the error to report.
  if (writer.errored) {
    await writer.discard()
    throw writer.errored
  }
  if (/^OCVM-SEEDED$/m.test(result.stderr)) options.onSeeded?.()
  if (result.exitCode === 0) {
    await writer.commit()
    return true
  }
  await writer.discard()
  if (result.exitCode === 3) return false
  const what = options.kind === 'hash' ? 'checksum' : 'list'
  throw new OcvmError('manifest-failed', `could not ${what} ${root} on ${shell.label}: ${result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}`}`, {
    hint: 'Check that the files are readable by the user ocvm connects as (or connect as root); the host needs GNU find, sort and sha256sum, and awk.',
  })
}
