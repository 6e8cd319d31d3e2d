import type {Shell} from '../hosts/shell.js'

// Expands glob patterns on the host. `~/` expands to `home` (passed as data, never spliced into code);
// IFS is emptied so a home or file name with spaces is not split.
const GLOB_SCRIPT = [
  'h="$1"; shift',
  "IFS=''",
  'for pat in "$@"; do',
  '  case "$pat" in "~/"*) pat="$h/${pat#"~/"}";; esac',
  '  for f in $pat; do if [ -e "$f" ] || [ -L "$f" ]; then printf \'%s\\0\' "$f"; fi; done',
  'done',
].join('\n')

export async function globFiles(shell: Shell, home: string, patterns: readonly string[]): Promise<string[]> {
  const result = await shell.script(GLOB_SCRIPT, [home, ...patterns], {timeoutMs: 60_000})
  return [...new Set(result.stdout.split('\0').filter(Boolean))]
}
