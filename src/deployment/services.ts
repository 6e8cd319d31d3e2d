import type {Redactor} from '../exec/redactor.js'
import type {Shell} from '../hosts/shell.js'
import {globFiles} from './glob-files.js'
import {parsePlist, type PlistValue} from './plist.js'
import {readTextFile} from './remote-fs.js'
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

const PLIST_READ = `if command -v plutil >/dev/null 2>&1; then plutil -convert xml1 -o - -- "$1"; else cat -- "$1"; fi`

export async function discoverServices(shell: Shell, home: string, redactor: Redactor): Promise<ServiceFile[]> {
  const paths = await globFiles(shell, home, SERVICE_GLOBS)
  // Read at the same time (one round trip each), kept in glob order.
  const parsed = await Promise.all(paths.map(async (file): Promise<ServiceFile | undefined> => {
    const userScope = file.startsWith(home + '/')
    if (file.endsWith('.plist')) {
      const xml = (await shell.script(PLIST_READ, [file], {allowFailure: true, timeoutMs: 30_000})).stdout
      return parseLaunchdPlist(xml, file, userScope ? 'launch-agent' : 'launch-daemon', redactor)
    }
    const text = await readTextFile(shell, file)
    return text === undefined ? undefined : parseSystemdUnit(text, file, userScope ? 'user' : 'system', redactor)
  }))
  return parsed.filter((s): s is ServiceFile => s !== undefined)
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
