import {UnexpectedOutputError} from '../../errors.js'
import type {Shell} from '../../hosts/shell.js'

export interface HostFile {
  /** Path relative to the listed dir, `/`-separated, never starting with `./`. */
  relPath: string
  bytes: number
}

// Portable across GNU and BSD (macOS) userlands: no `find -printf`, no `stat` flags. `wc -c` on a
// regular file is answered from its size, not by reading it, on both.
const LIST_FILES = `cd "$1" || exit 3
find . -type f | LC_ALL=C sort | while IFS= read -r f; do
  printf '%s\\t%s\\n' "$(wc -c <"$f" | tr -d ' ')" "\${f#./}"
done`

/** Every regular file under `dir` on the shell's host, with its apparent size. */
export async function listHostFiles(shell: Shell, dir: string, tool: string): Promise<HostFile[]> {
  const result = await shell.script(LIST_FILES, [dir], {timeoutMs: 60_000})
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t')
      const bytes = Number(line.slice(0, tab))
      if (tab < 0 || !Number.isSafeInteger(bytes)) throw new UnexpectedOutputError(tool, `find ${dir}`, `bad line "${line}"`, shell.label)
      return {relPath: line.slice(tab + 1), bytes}
    })
}

/** `$HOME` of the login user on the shell's host (where per-user hypervisor files live). */
export async function homeDir(shell: Shell): Promise<string> {
  const home = (await shell.script('printf %s "$HOME"', [], {timeoutMs: 30_000})).stdout
  if (!home.startsWith('/')) throw new UnexpectedOutputError('sh', 'printf %s "$HOME"', `HOME is "${home}"`, shell.label)
  return home
}
