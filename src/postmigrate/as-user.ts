import type {RunResult} from '../exec/runner.js'
import type {Shell, ShellRunOptions} from '../hosts/shell.js'

// Commands of the service user run the way the guide insists on: as that user, with its HOME, from
// its home dir (otherwise `process.cwd() failed`). Root uses sudo where present, else su.
const AS_USER = String.raw`
u="$1"; h="$2"; w="$3"; shift 3
if [ "$(id -un)" = "$u" ]; then cd "$w" && HOME="$h" exec "$@"; fi
if command -v sudo >/dev/null 2>&1; then cd / && exec sudo -n -H -u "$u" sh -c 'cd "$1" && HOME="$0" && export HOME && shift && exec "$@"' "$h" "$w" "$@"; fi
exec su -s /bin/sh "$u" -c 'cd "$1" && HOME="$0" && export HOME && shift && exec "$@"' "$h" "$w" "$@"
`

export function runAsUser(shell: Shell, user: string, home: string, argv: readonly string[], options: ShellRunOptions = {}, cwd = home): Promise<RunResult> {
  return shell.script(AS_USER, [user, home, cwd, ...argv], options)
}
