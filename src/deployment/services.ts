import type {Redactor} from '../exec/redactor.js'
import {PermissionDeniedError} from '../errors.js'
import {scriptRecords} from '../hosts/nul-records.js'
import type {Shell} from '../hosts/shell.js'
import {parsePlist, type PlistValue} from './plist.js'
import {isPlainEnv, maskArgv} from './secret-names.js'

export type ServiceKind = 'systemd-unit' | 'systemd-timer' | 'launch-daemon' | 'launch-agent'

export interface ServiceFile {
  kind: ServiceKind
  path: string
  /** Unit name or launchd label. */
  name: string
  scope: 'system' | 'user'
  /** The OS user the service runs as, when the file says. */
  runAs?: string
  /** Non-secret environment (HOME, OPENCLAW_STATE_DIR, PATH…), values kept. */
  env: Record<string, string>
  /** Names of environment variables treated as secrets; their values are never kept. */
  secretKeys: Array<{name: string; value: 'set' | 'empty' | 'placeholder'}>
  environmentFiles: string[]
  /** The command, with inline credentials masked. */
  command: string[]
  logPaths: string[]
  /** A profile instance (openclaw-gateway-<profile>, ai.openclaw.<profile>). */
  instance?: string
}

const SERVICE_GLOBS = [
  '/etc/systemd/system/openclaw*.service', '/etc/systemd/system/openclaw*.timer',
  '/etc/systemd/system/clawdbot*.service', '/lib/systemd/system/openclaw*.service',
  '~/.config/systemd/user/openclaw*.service', '~/.config/systemd/user/openclaw*.timer',
  '/Library/LaunchDaemons/ai.openclaw*.plist', '/Library/LaunchDaemons/bot.molt*.plist',
  '~/Library/LaunchAgents/ai.openclaw*.plist', '~/Library/LaunchAgents/bot.molt*.plist',
]

// Finds the service files and prints them, in one round trip: `F\0PATH\0` then `C` + the content
// and a NUL (plists as XML where plutil exists), or `D\0PATH\0` for a file we may not read.
// `~/` patterns expand to $1, or to the home of user $2 (the login user's when empty), so this
// can run at the same time as the host probe that learns the home.
const READ_SERVICES = String.raw`
h="$1"; u="$2"; shift 2
if [ -z "$h" ] && [ -n "$u" ]; then
  if command -v getent >/dev/null 2>&1; then h=$(getent passwd "$u" | cut -d: -f6); fi
  if [ -z "$h" ] && command -v dscl >/dev/null 2>&1; then h=$(dscl . -read "/Users/$u" NFSHomeDirectory 2>/dev/null | sed 's/^NFSHomeDirectory: //'); fi
elif [ -z "$h" ]; then h="$HOME"; fi
IFS=''
for pat in "$@"; do
  case "$pat" in "~/"*) [ -n "$h" ] || continue; pat="$h/$(printf '%s' "$pat" | cut -c3-)";; esac
  for f in $pat; do
    [ -f "$f" ] || continue
    if [ ! -r "$f" ]; then printf 'D\0%s\0' "$f"; continue; fi
    printf 'F\0%s\0C' "$f"
    case "$f" in
      *.plist) if command -v plutil >/dev/null 2>&1; then plutil -convert xml1 -o - -- "$f" 2>/dev/null; else cat -- "$f"; fi;;
      *) cat -- "$f";;
    esac
    printf '\0'
  done
done
exit 0
`

/** Where to look: the home to expand `~/` with, or the user whose home it is (default: the login user). */
export type ServiceHome = {home: string} | {user?: string}

/**
 * The service files of a host (systemd units and launchd plists) with their parsed environment.
 * `home` is the user's home, known once the probe answered: it tells user scope from system scope.
 */
export async function discoverServices(shell: Shell, where: ServiceHome, redactor: Redactor): Promise<(home: string) => ServiceFile[]> {
  const files: Array<{path: string; text?: string}> = []
  const seen = new Set<string>()
  let expect: 'kind' | 'path' | 'content' = 'kind'
  let denied = false
  await scriptRecords(shell, READ_SERVICES, ['home' in where ? where.home : '', 'user' in where ? where.user ?? '' : '', ...SERVICE_GLOBS], (record) => {
    if (expect === 'kind') {
      denied = record === 'D'
      expect = 'path'
    } else if (expect === 'path') {
      if (!seen.has(record)) files.push({path: record})
      seen.add(record)
      expect = denied ? 'kind' : 'content'
    } else {
      const last = files.at(-1)
      if (last && last.text === undefined) last.text = record.slice(1)
      expect = 'kind'
    }
  }, {timeoutMs: 60_000})
  return (home) => {
    const out: ServiceFile[] = []
    for (const file of files) {
      const userScope = file.path.startsWith(home + '/')
      if (file.path.endsWith('.plist')) {
        const parsed = parseLaunchdPlist(file.text ?? '', file.path, userScope ? 'launch-agent' : 'launch-daemon', redactor)
        if (parsed) out.push(parsed)
      } else if (file.text === undefined) {
        throw new PermissionDeniedError(shell.label, file.path)
      } else {
        out.push(parseSystemdUnit(file.text, file.path, userScope ? 'user' : 'system', redactor))
      }
    }
    return out
  }
}

/** Splits `Environment=A=1 "B=two words"` into assignments, systemd-style. */
function splitEnvironmentLine(value: string): string[] {
  return [...value.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '')
}

function classifyEnv(
  entries: Array<[string, string]>,
  redactor: Redactor,
): Pick<ServiceFile, 'env' | 'secretKeys'> {
  const env: Record<string, string> = {}
  const secretKeys: ServiceFile['secretKeys'] = []
  for (const [name, value] of entries) {
    if (isPlainEnv(name)) {
      env[name] = value
      continue
    }
    const state = value.trim() === '' ? 'empty' : value.trim() === 'not-configured' ? 'placeholder' : 'set'
    // The guide's placeholder is not a secret: registering it would redact the word everywhere.
    if (state === 'set') redactor.add(value)
    secretKeys.push({name, value: state})
  }
  return {env, secretKeys}
}

/** maskArgv, and registers what it masked (`--token X`, `--token=X`) with the redactor. */
function maskCommand(argv: string[], redactor: Redactor): string[] {
  const masked = maskArgv(argv)
  masked.forEach((m, i) => {
    const original = argv[i] ?? ''
    if (m === original || !m.endsWith('***')) return
    const prefix = m.slice(0, -3)
    if (original.startsWith(prefix)) redactor.add(original.slice(prefix.length))
  })
  return masked
}

/** Pure (apart from registering secret values with the redactor). */
export function parseSystemdUnit(text: string, file: string, scope: 'system' | 'user', redactor: Redactor): ServiceFile {
  const name = file.split('/').pop() ?? file
  const envEntries: Array<[string, string]> = []
  const environmentFiles: string[] = []
  const logPaths: string[] = []
  let runAs: string | undefined
  let command: string[] = []
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim()
    if (!line || line.startsWith('#') || line.startsWith(';')) continue
    const eq = line.indexOf('=')
    if (eq < 0) continue
    const key = line.slice(0, eq).trim()
    const value = line.slice(eq + 1).trim()
    if (key === 'User') runAs = value
    else if (key === 'Environment') {
      for (const assignment of splitEnvironmentLine(value)) {
        const i = assignment.indexOf('=')
        if (i > 0) envEntries.push([assignment.slice(0, i), assignment.slice(i + 1)])
      }
    } else if (key === 'EnvironmentFile') environmentFiles.push(value.replace(/^-/, ''))
    else if (key === 'ExecStart') command = maskCommand(splitEnvironmentLine(value.replace(/^[-@:+!]+/, '')), redactor)
    else if (key === 'StandardOutput' || key === 'StandardError') {
      const m = /^(?:append|file|truncate):(.+)$/.exec(value)
      if (m?.[1]) logPaths.push(m[1])
    }
  }
  const instance = /^openclaw-gateway-(.+)\.(?:service|timer)$/.exec(name)?.[1]
  return {
    kind: name.endsWith('.timer') ? 'systemd-timer' : 'systemd-unit',
    path: file,
    name,
    scope,
    ...(runAs ? {runAs} : {}),
    ...classifyEnv(envEntries, redactor),
    environmentFiles,
    command,
    logPaths,
    ...(instance ? {instance} : {}),
  }
}

export function parseLaunchdPlist(xml: string, file: string, kind: 'launch-daemon' | 'launch-agent', redactor: Redactor): ServiceFile | undefined {
  let root: PlistValue
  try {
    root = parsePlist(xml)
  } catch {
    return undefined
  }
  if (typeof root !== 'object' || Array.isArray(root)) return undefined
  const str = (v: PlistValue | undefined) => (typeof v === 'string' ? v : undefined)
  const label = str(root.Label) ?? (file.split('/').pop() ?? file).replace(/\.plist$/, '')
  const envDict = root.EnvironmentVariables
  const envEntries: Array<[string, string]> =
    envDict && typeof envDict === 'object' && !Array.isArray(envDict)
      ? Object.entries(envDict).map(([k, v]) => [k, typeof v === 'string' ? v : String(v)])
      : []
  const args = Array.isArray(root.ProgramArguments) ? root.ProgramArguments.filter((a): a is string => typeof a === 'string') : []
  const runAs = str(root.UserName)
  const instance = /^ai\.openclaw\.(?:gateway\.)?(.+)$/.exec(label)?.[1]
  return {
    kind,
    path: file,
    name: label,
    scope: kind === 'launch-agent' ? 'user' : 'system',
    ...(runAs ? {runAs} : {}),
    ...classifyEnv(envEntries, redactor),
    environmentFiles: [],
    command: maskCommand(args, redactor),
    logPaths: [str(root.StandardOutPath), str(root.StandardErrorPath)].filter((p): p is string => Boolean(p)),
    ...(instance && instance !== 'gateway' ? {instance} : {}),
  }
}
