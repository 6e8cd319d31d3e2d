import {getPath, isPlainObject, stringLeaves, type StringLeaf} from './config-loader.js'
import {abs} from './locate.js'
import {isInside, type TreeListing} from '../hosts/remote-fs.js'
import type {Finding, SecretKey} from './types.js'

// Pure rules over what inspect gathered; each returns the findings a user must see before moving.

const PLACEHOLDER_RE = /[Xx]{3,}|<[^>]*>|your[-_ ]?(number|phone)|^\+?1?5555550\d{3}$|^\+?0{6,}$/i

export function placeholderAllowFrom(config: Record<string, unknown>): Finding[] {
  const channels = getPath(config, 'channels')
  if (!isPlainObject(channels)) return []
  return stringLeaves(channels, 'channels')
    .filter((leaf) => /\.(allowFrom|groupAllowFrom)\[\d+\]$/.test(leaf.key) && PLACEHOLDER_RE.test(leaf.value))
    .map((leaf) => ({
      severity: 'warning' as const,
      code: 'placeholder-allow-from',
      message: `${leaf.key} is a placeholder ("${leaf.value}"): messages from real numbers are silently dropped`,
      hint: 'Replace it with the real E.164 number(s) before or right after the move.',
    }))
}

export function gatewayMode(config: Record<string, unknown>): Finding[] {
  const mode = getPath(config, 'gateway.mode')
  if (mode === undefined) {
    return [{severity: 'error', code: 'gateway-mode-missing', message: 'gateway.mode is not set: the gateway refuses to start', hint: 'Set gateway.mode to "local" (openclaw config set gateway.mode local).'}]
  }
  if (mode !== 'local') {
    return [{severity: 'warning', code: 'gateway-mode-remote', message: `gateway.mode is "${String(mode)}": this config points at a remote gateway, the gateway itself will not run here`, hint: 'Migrate the host that runs the gateway (gateway.mode "local").'}]
  }
  return []
}

export function secretValueFindings(secrets: readonly SecretKey[]): Finding[] {
  const out: Finding[] = []
  for (const s of secrets) {
    if (s.state === 'empty') {
      out.push({severity: 'error', code: 'empty-env', message: `${s.name} is set to an empty value (${s.sources.join(', ')}): OpenClaw fails to start on empty env vars`, hint: `Give ${s.name} a value, or the placeholder "not-configured" if it is optional.`})
    } else if (s.state === 'referenced') {
      out.push({severity: 'warning', code: 'missing-env', message: `the config references \${${s.name}} but no secrets file, service or .env that ocvm can see defines it`, hint: `Make sure ${s.name} is set in the gateway's environment on the target (ocvm will ask for it when it recreates the secrets).`})
    }
  }
  return out
}

export function pluginDirMismatch(manifests: ReadonlyArray<{dir: string; id: string | undefined}>): Finding[] {
  return manifests.flatMap(({dir, id}) => {
    const name = dir.split('/').pop() ?? dir
    if (id === undefined) return [{severity: 'warning' as const, code: 'plugin-manifest-missing', message: `extension ${name} has no readable openclaw.plugin.json`, hint: 'OpenClaw treats a missing manifest as a plugin error; reinstall the plugin.', path: dir}]
    if (id !== name) return [{severity: 'warning' as const, code: 'plugin-dir-mismatch', message: `extension dir "${name}" does not match its manifest id "${id}"`, hint: `Rename the dir to extensions/${id} (OpenClaw expects them to match).`, path: dir}]
    return []
  })
}

const PATH_KEY_RE = /(?:^|\.)(workspace|agentDir|repoRoot|workspaceRoot|binds|seccompProfile|path|extensionPath|extraPaths|modelPath|modelCacheDir|command|store|transformsDir|root|file|filePath|paths|sourcePath|installPath|extraDirs|executablePath|certPath|keyPath|caPath|prefsPath|authDir|cliPath|serviceAccountFile|dbPath|attachmentRoots)(\[\d+\])?$/

export interface PathRef extends StringLeaf {
  /** Absolute path on the host the value resolves to. */
  resolved: string
}

/** Config values that name files or dirs on the host (absolute or `~/`), resolved. */
export function configPathRefs(config: Record<string, unknown>, home: string): PathRef[] {
  return stringLeaves(config)
    .filter((leaf) => PATH_KEY_RE.test(leaf.key) && /^(\/|~\/)/.test(leaf.value) && !leaf.value.includes('{') && !leaf.key.startsWith('meta.'))
    .map((leaf) => {
      // docker binds are "host:container[:mode]"
      const hostPart = /\.binds\[\d+\]$/.test(leaf.key) ? leaf.value.split(':')[0] ?? leaf.value : leaf.value
      return {...leaf, resolved: abs(hostPart, home)}
    })
}

/** Missing paths outside the state dir are warnings; inside it OpenClaw creates them on first use. */
export function danglingPaths(refs: readonly PathRef[], existing: ReadonlySet<string>, stateDir: string): Finding[] {
  return refs
    .filter((ref) => !existing.has(ref.resolved))
    .map((ref) => isInside(ref.resolved, stateDir)
      ? {
          severity: 'info' as const,
          code: 'path-not-created',
          message: `${ref.key} points to ${ref.resolved}, which does not exist yet`,
          hint: 'OpenClaw creates it on first use; ocvm rewrites the setting for the target.',
          path: ref.resolved,
        }
      : {
          severity: 'warning' as const,
          code: 'path-not-found',
          message: `${ref.key} points to ${ref.resolved}, which does not exist`,
          hint: 'Fix or remove the setting; a path that points nowhere here will point nowhere on the target either.',
          path: ref.resolved,
        })
}

export function liveGateway(processes: ReadonlyArray<{pid: number}>, listing: TreeListing): Finding[] {
  const wal = listing.entries.filter((e) => /\.sqlite-(wal|shm)$/.test(e.path))
  if (processes.length > 0) {
    return [{
      severity: 'warning',
      code: 'gateway-running',
      message: `the gateway is running (pid ${processes.map((p) => p.pid).join(', ')}): its SQLite files are live`,
      hint: 'ocvm migrate stops it before the final copy; never copy the state by hand while it runs.',
    }]
  }
  if (wal.length > 0) {
    return [{severity: 'info', code: 'sqlite-wal-present', message: `${wal.length} SQLite -wal/-shm file(s) present although no gateway process was seen`, hint: 'Make sure no gateway runs under another user or in a container before migrating.'}]
  }
  return []
}

export function listingProblems(listing: TreeListing, stateDir: string): Finding[] {
  const out: Finding[] = listing.denied.map((p) => ({
    severity: 'error' as const,
    code: 'permission-denied',
    message: `cannot read ${p}: it would be left behind`,
    hint: 'Connect as the deployment owner or as root.',
    path: p,
  }))
  for (const e of listing.entries) {
    if (e.type !== 'symlink' || !e.linkTarget || !isInside(e.path, stateDir)) continue
    const target = e.linkTarget.startsWith('/') ? e.linkTarget : undefined
    if (target && !isInside(target, stateDir)) {
      out.push({severity: 'info', code: 'symlink-outside', message: `${e.path} is a symlink to ${target}, outside the state dir`, hint: 'The link moves as a link; make sure its target exists on the target host too.', path: e.path})
    }
  }
  return out
}

export function configNotes(files: ReadonlyArray<{path: string; hasComments: boolean}>, config: Record<string, unknown>): Finding[] {
  const out: Finding[] = []
  const commented = files.filter((f) => f.hasComments)
  if (commented.length > 0) {
    out.push({severity: 'info', code: 'config-comments', message: `${commented.length} config file(s) have comments; OpenClaw drops them when it rewrites a file`, hint: 'ocvm keeps comments when it rewrites paths.'})
  }
  const token = getPath(config, 'gateway.auth.token')
  if (typeof token === 'string' && !/^\$\{[A-Z_][A-Z0-9_]*\}$/.test(token)) {
    out.push({severity: 'info', code: 'inline-gateway-token', message: 'gateway.auth.token is stored in the config file itself', hint: 'It moves with the config; consider ${OPENCLAW_GATEWAY_TOKEN} and a fresh token on the target.'})
  }
  return out
}
