import {z} from 'zod'

import {OcvmError, UsageError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'

/** What one round trip learns about a host and the user whose deployment we look at. */
export interface HostFacts {
  /** `local` or `ssh://…`, for messages. */
  hostLabel: string
  os: 'linux' | 'macos' | 'other'
  kernel: string
  arch: string
  /** The login user ocvm connected as. */
  loginUser: string
  loginUid: number
  /** The user whose deployment is inspected (--user, or the login user). */
  user: string
  /** That user's uid (its launchd gui domain). */
  uid: number
  /** Primary group of `user` (for chown on a target). */
  group: string
  home: string
  /** OpenClaw-related environment of the login session (only used when user === loginUser). */
  env: Record<string, string>
  openclaw: {path: string; version: string | undefined} | undefined
  /** Processes that look like a running OpenClaw gateway. */
  gatewayProcesses: Array<{pid: number; user: string; args: string}>
  tools: Record<string, boolean>
  /**
   * The service manager that RUNS on the host, not the one whose tools are installed: systemd when
   * /run/systemd/system exists (what sd_booted() checks; a container or WSL may ship systemctl
   * without systemd as init), launchd on macOS, else none.
   */
  serviceManager: ServiceManager
}

export type ServiceManager = 'systemd' | 'launchd' | 'none'

const ENV_KEYS = ['OPENCLAW_STATE_DIR', 'OPENCLAW_CONFIG_PATH', 'OPENCLAW_PROFILE', 'OPENCLAW_HOME', 'OPENCLAW_OAUTH_DIR', 'CLAWDBOT_STATE_DIR', 'CLAWDBOT_CONFIG_PATH'] as const
export const PROBED_TOOLS = ['ssh', 'tar', 'zstd', 'rsync', 'sha256sum', 'shasum', 'sudo', 'find', 'stat', 'df', 'crontab', 'systemctl', 'launchctl', 'plutil'] as const

export const USER_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/

// The gateway renames its process: "openclaw" while starting, then "openclaw-gateway". ocvm's own
// commands (and this ps) are not gateways.
const GATEWAY_PS = String.raw`
ps -eo pid=,user=,args= 2>/dev/null | while read -r pid pu args; do
  case "$args" in openclaw|openclaw-gateway*|*openclaw*gateway*|*clawdbot*gateway*) case "$args" in *ocvm*|*"ps -eo"*) ;; *) p gateway "$pid $pu $args";; esac;; esac
done`

// One POSIX sh script; every line it prints is KEY<TAB>VALUE. $1 is the user to inspect (may be empty).
const PROBE_SCRIPT = String.raw`
u="$1"
p() { printf '%s\t%s\n' "$1" "$2"; }
p kernel "$(uname -s)"
p arch "$(uname -m)"
p loginUser "$(id -un)"
p loginUid "$(id -u)"
if [ -n "$u" ]; then
  h=""
  if command -v getent >/dev/null 2>&1; then h=$(getent passwd "$u" | cut -d: -f6); fi
  if [ -z "$h" ] && command -v dscl >/dev/null 2>&1; then h=$(dscl . -read "/Users/$u" NFSHomeDirectory 2>/dev/null | sed 's/^NFSHomeDirectory: //'); fi
  if [ -z "$h" ]; then p nouser "$u"; exit 0; fi
  p user "$u"; p uid "$(id -u "$u" 2>/dev/null)"; p home "$h"; p group "$(id -gn "$u" 2>/dev/null)"
else
  p user "$(id -un)"; p uid "$(id -u)"; p home "$HOME"; p group "$(id -gn)"
fi
for k in ${ENV_KEYS.join(' ')}; do eval "v=\${$k-}"; [ -n "$v" ] && p "env.$k" "$v"; done
for t in ${PROBED_TOOLS.join(' ')}; do if command -v "$t" >/dev/null 2>&1; then p "tool.$t" 1; else p "tool.$t" 0; fi; done
# The state is listed with find -printf and unpacked with GNU tar options: macOS ships BSD ones.
if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then p tool.gnu-find 1; else p tool.gnu-find 0; fi
case "$(tar --version 2>/dev/null | head -n 1)" in *GNU*) p tool.gnu-tar 1 ;; *) p tool.gnu-tar 0 ;; esac
if [ -d /run/systemd/system ]; then p init systemd
elif [ "$(uname -s)" = Darwin ] && command -v launchctl >/dev/null 2>&1; then p init launchd
else p init none; fi
oc=$(command -v openclaw 2>/dev/null || true)
if [ -n "$oc" ]; then p openclawPath "$oc"; p openclawVersion "$(openclaw --version 2>/dev/null | head -n 1)"; fi
${GATEWAY_PS}
exit 0
`

/** The gateway processes now, one `gateway<TAB>PID USER ARGS` line each (what the probe's `gateway` lines parse). */
export async function gatewayProcesses(shell: Shell): Promise<HostFacts['gatewayProcesses']> {
  const result = await shell.script(`p() { printf '%s\t%s\n' "$1" "$2"; }\n${GATEWAY_PS}\nexit 0`, [], {timeoutMs: 60_000})
  return result.stdout.split('\n').flatMap((line) => {
    const m = /^gateway\t(\d+) (\S+) (.*)$/.exec(line)
    return m ? [{pid: Number(m[1]), user: m[2] ?? '', args: m[3] ?? ''}] : []
  })
}

const FactsLineSchema = z.tuple([z.string().min(1), z.string()])

export async function probeHost(shell: Shell, user: string | undefined): Promise<HostFacts> {
  if (user !== undefined && !USER_NAME_RE.test(user)) {
    throw new UsageError(`invalid user name "${user}"`, 'Give the OS user that runs the gateway, e.g. --user openclaw.')
  }
  const result = await shell.script(PROBE_SCRIPT, [user ?? ''], {timeoutMs: 60_000})
  return parseHostFacts(result.stdout, shell.label)
}

/** Pure: turns the probe script's output into HostFacts. */
export function parseHostFacts(stdout: string, hostLabel: string): HostFacts {
  const values = new Map<string, string>()
  const gatewayProcesses: HostFacts['gatewayProcesses'] = []
  const env: Record<string, string> = {}
  const tools: Record<string, boolean> = {}
  for (const line of stdout.split('\n')) {
    if (!line) continue
    const tab = line.indexOf('\t')
    const parsed = FactsLineSchema.safeParse(tab < 0 ? [line, ''] : [line.slice(0, tab), line.slice(tab + 1)])
    if (!parsed.success) continue
    const [key, value] = parsed.data
    if (key === 'gateway') {
      const m = /^(\d+) (\S+) (.*)$/.exec(value)
      if (m) gatewayProcesses.push({pid: Number(m[1]), user: m[2] ?? '', args: m[3] ?? ''})
    } else if (key.startsWith('env.')) env[key.slice(4)] = value
    else if (key.startsWith('tool.')) tools[key.slice(5)] = value === '1'
    else values.set(key, value)
  }
  const nouser = values.get('nouser')
  if (nouser !== undefined) {
    throw new OcvmError('user-not-found', `user "${nouser}" does not exist on ${hostLabel}`, {
      hint: `Check the name with \`id ${nouser}\` on ${hostLabel}; --user is the OS user that runs the gateway.`,
    })
  }
  const kernel = values.get('kernel') ?? ''
  const home = values.get('home')
  if (!home || !values.has('loginUser')) {
    throw new OcvmError('unexpected-output', `unexpected output from the host probe on ${hostLabel}`, {
      hint: 'The host needs a POSIX sh with uname, id and ps. Run again with --verbose to see what it printed.',
    })
  }
  const openclawPath = values.get('openclawPath')
  const versionText = values.get('openclawVersion')
  return {
    hostLabel,
    os: kernel === 'Linux' ? 'linux' : kernel === 'Darwin' ? 'macos' : 'other',
    kernel,
    arch: values.get('arch') ?? '',
    loginUser: values.get('loginUser') ?? '',
    loginUid: Number(values.get('loginUid') ?? -1),
    user: values.get('user') ?? '',
    uid: Number(values.get('uid') || values.get('loginUid') || -1),
    group: values.get('group') ?? '',
    home,
    env,
    openclaw: openclawPath ? {path: openclawPath, version: parseOpenclawVersion(versionText ?? '')} : undefined,
    gatewayProcesses,
    tools,
    serviceManager: SERVICE_MANAGERS.find((m) => m === values.get('init')) ?? 'none',
  }
}

const SERVICE_MANAGERS: readonly ServiceManager[] = ['systemd', 'launchd', 'none']

/** `OpenClaw 2026.9.6 (eb377ac)` or a bare `2026.2.19` → `2026.9.6`. */
export function parseOpenclawVersion(text: string): string | undefined {
  return /(\d{4}\.\d{1,2}\.\d{1,2}(?:-[0-9A-Za-z.-]+)?)/.exec(text)?.[1]
}
