import {isInside, posix, type TreeEntry} from '../hosts/remote-fs.js'
import type {Component, ComponentKind, Treatment} from './types.js'

interface Catalog {
  title: string
  treatment: Treatment
  note: string
}

/** What happens to each kind of component in a migration (openclaw.md §1c/1d, the guide's table). */
export const CATALOG: Record<ComponentKind, Catalog> = {
  config: {title: 'Config', treatment: 'transfer', note: 'moved, then every path under the old home/state dir is rewritten'},
  workspace: {title: 'Workspace', treatment: 'transfer', note: 'SOUL.md, memory files and research: moved byte for byte'},
  whatsapp: {title: 'WhatsApp credentials', treatment: 'transfer', note: 'Baileys store moved as is (no re-link needed); check the log for "Listening for personal WhatsApp inbound messages"'},
  signal: {title: 'Signal (signal-cli data)', treatment: 're-pair', note: 'Signal keys never transfer: re-link with `signal-cli link -n "OpenClaw"` on the target'},
  googlechat: {title: 'Google Chat service account', treatment: 'transfer', note: 'moved; the webhook URL in the Chat app must be updated by hand if the host name changes'},
  'channel-credentials': {title: 'Channel pairing & allow-lists', treatment: 'transfer', note: 'pairing requests, approved senders, OAuth imports'},
  'auth-profiles': {title: 'Auth profiles', treatment: 'transfer', note: 'model API keys and OAuth tokens of the agent (0600 on the target)'},
  'agent-state': {title: 'Agent state', treatment: 'transfer', note: 'other per-agent files (models, settings)'},
  identity: {title: 'Identity & paired devices', treatment: 'transfer', note: 'gateway device identity, paired devices and nodes'},
  sessions: {title: 'Sessions', treatment: 'optional', note: 'conversation history; included by default, sessionFile paths rewritten'},
  'state-db': {title: 'State database', treatment: 'transfer', note: 'SQLite control plane (cron, pairing, identities); copied only with the gateway stopped'},
  'memory-index': {title: 'Memory search index', treatment: 'rebuild', note: 'architecture-dependent: rebuilt on the target with `openclaw memory index --force`'},
  extensions: {title: 'Extensions', treatment: 'transfer', note: 'plugin source; directory must match the manifest id'},
  'extension-deps': {title: 'Extension node_modules', treatment: 'rebuild', note: 'may hold native modules: reinstalled on the target with `npm install`'},
  'cron-store': {title: 'Cron store', treatment: 'transfer', note: 'OpenClaw cron jobs and run history'},
  logs: {title: 'Logs', treatment: 'optional', note: 'gateway logs; not needed to run'},
  dotenv: {title: 'State .env', treatment: 'transfer', note: 'dotenv inside the state dir (holds secrets): moved encrypted over ssh, 0600 on the target'},
  secrets: {title: 'Service secrets', treatment: 'manual', note: 'never copied: re-entered on the target from a file, stdin or the environment'},
  services: {title: 'Service files', treatment: 'recreate', note: 'never copied: generated for the target (systemd unit or LaunchDaemon)'},
  schedules: {title: 'Scheduled tasks', treatment: 'recreate', note: 'log rotation, session pruning, cleanup and git-sync jobs recreated with translated paths'},
  'runtime-cache': {title: 'Runtime caches', treatment: 'optional', note: 'media, browser profiles, sandboxes, caches: regenerated if left behind'},
  'other-state': {title: 'Other state', treatment: 'transfer', note: 'everything else in the state dir'},
}

/** The rows every inventory shows, present or not, so users see what is not configured too. */
export const TABLE_KINDS: ComponentKind[] = [
  'config', 'workspace', 'whatsapp', 'signal', 'googlechat', 'auth-profiles', 'identity', 'sessions',
  'memory-index', 'extensions', 'cron-store', 'logs', 'secrets', 'services', 'schedules',
]

export interface Slot {
  kind: ComponentKind
  /** Agent id, account id or plugin dir, when the component is per-something. */
  key?: string
  /** The component's top-level path. */
  root: string
}

/** Pure: which component a path inside the state dir belongs to. */
export function classifyStatePath(stateDir: string, rel: string): Slot {
  const parts = rel.split('/')
  const at = (n: number) => posix.join(stateDir, ...parts.slice(0, n))
  const [a = '', b = '', c = '', d = ''] = parts
  if (parts.length === 1 && /^(openclaw|clawdbot|moldbot|moltbot)\.json(\.bak.*|\.tmp.*)?$/.test(a)) return {kind: 'config', root: at(1)}
  if (parts.length === 1 && a === '.env') return {kind: 'dotenv', root: at(1)}
  if (a === 'credentials') {
    if (b === 'whatsapp' && c) return {kind: 'whatsapp', key: c, root: at(3)}
    if (b === 'googlechat') return {kind: 'googlechat', root: at(2)}
    if (b === 'signal') return {kind: 'signal', root: at(2)}
    return {kind: 'channel-credentials', root: at(2)}
  }
  if (a === 'agents' && b) {
    if (c === 'agent' && (d === 'auth-profiles.json' || d === 'auth.json')) return {kind: 'auth-profiles', key: b, root: at(4)}
    if (c === 'agent' && /^openclaw-agent\.sqlite/.test(d)) return {kind: 'sessions', key: b, root: at(4)}
    if (c === 'sessions') return {kind: 'sessions', key: b, root: at(3)}
    if (c === 'qmd') return {kind: 'memory-index', key: b, root: at(3)}
    return {kind: 'agent-state', key: b, root: at(2)}
  }
  if (a === 'state' && /^openclaw\.sqlite/.test(b)) return {kind: 'state-db', root: at(2)}
  if (a === 'identity' || a === 'devices' || a === 'nodes') return {kind: 'identity', root: at(1)}
  if (a === 'memory' && parts.length > 1) return {kind: 'memory-index', root: at(1)}
  if (a === 'extensions' && b) {
    if (c === 'node_modules') return {kind: 'extension-deps', key: b, root: at(3)}
    return {kind: 'extensions', key: b, root: at(2)}
  }
  if (a === 'cron') return {kind: 'cron-store', root: at(1)}
  if (a === 'logs') return {kind: 'logs', root: at(1)}
  if (/^(cache|tmp|media|browser|sandboxes|canvas|completions|delivery-queue)$/.test(a)) return {kind: 'runtime-cache', root: at(1)}
  if (/^workspace(s|-.*)?$/.test(a)) return {kind: 'workspace', key: a === 'workspaces' && b ? b : a, root: a === 'workspaces' && b ? at(2) : at(1)}
  return {kind: 'other-state', root: at(1)}
}

export interface ClassifyInput {
  stateDir: string
  entries: readonly TreeEntry[]
  /** Workspace dir per agent (outside or inside the state dir). */
  workspaces: ReadonlyArray<{agent: string; dir: string}>
  /** Other paths outside the state dir that belong to a component (Google Chat key, signal-cli data…). */
  externals: ReadonlyArray<Slot>
  /** Config files (main + includes), wherever they are. */
  configFiles: readonly string[]
}

function componentId(slot: Pick<Slot, 'kind' | 'key'>): string {
  return slot.key === undefined ? slot.kind : `${slot.kind}:${slot.key}`
}

/** Pure: groups every listed file into components with size and file count. */
export function classifyEntries(input: ClassifyInput): Map<string, Component> {
  const components = new Map<string, Component>()
  const configSet = new Set(input.configFiles)
  const slotFor = (entry: TreeEntry): Slot | undefined => {
    for (const ws of input.workspaces) if (isInside(entry.path, ws.dir)) return {kind: 'workspace', key: ws.agent, root: ws.dir}
    for (const ext of input.externals) if (isInside(entry.path, ext.root)) return ext
    if (configSet.has(entry.path)) return {kind: 'config', root: entry.path}
    if (entry.path === input.stateDir || !isInside(entry.path, input.stateDir)) return undefined
    return classifyStatePath(input.stateDir, posix.relative(input.stateDir, entry.path))
  }
  for (const entry of input.entries) {
    const slot = slotFor(entry)
    if (!slot) continue
    const id = componentId(slot)
    let component = components.get(id)
    // Directories alone (agents/, state/, an empty sessions dir) do not make a component.
    if (!component && entry.type === 'dir') continue
    if (!component) {
      component = newComponent(slot, input.stateDir)
      components.set(id, component)
    }
    addRoot(component, slot.root, input.stateDir)
    if (entry.type !== 'dir') {
      component.fileCount++
      if (entry.type === 'file') component.sizeBytes += entry.size
    }
  }
  return components
}

/** Keeps a component's paths minimal: a path inside one already listed is not listed again. */
function addRoot(component: Component, root: string, stateDir: string): void {
  if (component.paths.some((p) => isInside(root, p))) return
  component.paths = [...component.paths.filter((p) => !isInside(p, root)), root]
  if (!isInside(root, stateDir)) component.outsideStateDir = true
}

export function newComponent(slot: Pick<Slot, 'kind' | 'key'> & {root?: string}, stateDir: string): Component {
  const catalog = CATALOG[slot.kind]
  const perAgent = ['workspace', 'auth-profiles', 'agent-state', 'sessions', 'memory-index'].includes(slot.kind)
  return {
    id: componentId(slot),
    kind: slot.kind,
    title: slot.key === undefined ? catalog.title : `${catalog.title} (${slot.key})`,
    treatment: catalog.treatment,
    present: true,
    paths: [],
    sizeBytes: 0,
    fileCount: 0,
    outsideStateDir: slot.root !== undefined && !isInside(slot.root, stateDir),
    ...(slot.key !== undefined && perAgent ? {agent: slot.key} : {}),
    ...(slot.key !== undefined && (slot.kind === 'whatsapp') ? {account: slot.key} : {}),
    note: catalog.note,
  }
}
