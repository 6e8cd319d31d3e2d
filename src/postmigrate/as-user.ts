import type {RunResult} from '../exec/runner.js'
import type {Shell, ShellRunOptions} from '../hosts/shell.js'

// Commands of the service user run the way the guide insists on: as that user, with its HOME, from
// its home dir (otherwise `process.cwd() failed`). Root uses sudo where present, else su.
// With the service's environment (Linux: its secrets EnvironmentFile; macOS: the LaunchDaemon's
// EnvironmentVariables, read with plutil), its variables are loaded as root first and kept across
// the user switch, so the CLI sees what the service sees (e.g. OPENCLAW_GATEWAY_TOKEN). The values
// stay on the target: they never reach argv or ocvm.
const AS_USER = String.raw`
u="$1"; h="$2"; w="$3"; e="$4"; p="$5"; shift 5
keep=""
if [ -n "$e" ] && [ -r "$e" ]; then set -a; . "$e"; set +a; keep=1; fi
if [ -n "$p" ] && [ -r "$p" ]; then
  for k in $(plutil -extract EnvironmentVariables xml1 -o - -- "$p" 2>/dev/null | sed -n 's:^[[:space:]]*<key>\([A-Za-z_][A-Za-z0-9_]*\)</key>.*:\1:p'); do
    v=$(plutil -extract "EnvironmentVariables.$k" raw -o - -- "$p" 2>/dev/null) && export "$k=$v" && keep=1
  done
fi
if [ "$(id -un)" = "$u" ]; then cd "$w" && HOME="$h" exec "$@"; fi
if command -v sudo >/dev/null 2>&1; then cd / && exec sudo -n \${keep:+-E} -H -u "$u" sh -c 'cd "$1" && HOME="$0" && export HOME && shift && exec "$@"' "$h" "$w" "$@"; fi
exec su \${keep:+-m} -s /bin/sh "$u" -c 'cd "$1" && HOME="$0" && export HOME && shift && exec "$@"' "$h" "$w" "$@"
`.replaceAll('\\${', '${')

export interface AsUserOptions extends ShellRunOptions {
  /** Run from here instead of the home. */
  cwd?: string
  /** A root-readable env file (the service's secrets) whose variables the command gets. */
  envFile?: string
  /** A LaunchDaemon plist whose EnvironmentVariables the command gets (macOS). */
  envPlist?: string
}

export function runAsUser(shell: Shell, user: string, home: string, argv: readonly string[], options: AsUserOptions = {}): Promise<RunResult> {
  const {cwd, envFile, envPlist, ...rest} = options
  return shell.script(AS_USER, [user, home, cwd ?? home, envFile ?? '', envPlist ?? '', ...argv], rest)
}
