import {getPath, isPlainObject} from './config-loader.js'
import {abs, type Location} from './locate.js'
import {posix} from '../hosts/remote-fs.js'

export interface AgentInfo {
  id: string
  isDefault: boolean
  /** Candidate workspace dirs, best first (the first existing one is the workspace). */
  workspaceCandidates: string[]
  workspaceSource: 'config' | 'default'
  agentDir: string
}

interface RawAgent {
  id: string
  workspace?: string
  agentDir?: string
  default?: boolean
}

/** `agents.list[]` (≤ 2026.7) or keyed `agents.entries.<id>` (newer), whichever the config has. */
function configuredAgents(config: Record<string, unknown>): RawAgent[] {
  const out: RawAgent[] = []
  const list = getPath(config, 'agents.list')
  if (Array.isArray(list)) {
    for (const item of list) if (isPlainObject(item) && typeof item.id === 'string') out.push(item as unknown as RawAgent)
  }
  const entries = getPath(config, 'agents.entries')
  if (isPlainObject(entries)) {
    for (const [id, item] of Object.entries(entries)) if (isPlainObject(item)) out.push({...(item as Omit<RawAgent, 'id'>), id})
  }
  return out
}

/**
 * Agents from the config plus agent dirs found on disk, each with where its workspace lives.
 * The default workspace moved between versions (openclaw.md §1b): 2026.2.x used
 * `$HOME/.openclaw/workspace[-<profile>]` even with a custom state dir; newer ones use `<state>/workspace`.
 */
export function resolveAgents(config: Record<string, unknown>, location: Location, agentIdsOnDisk: readonly string[]): AgentInfo[] {
  const {stateDir, home, profile} = location
  const raw = configuredAgents(config)
  const ids = new Set([...raw.map((a) => a.id), ...agentIdsOnDisk])
  if (ids.size === 0) ids.add('main')
  const defaultId = raw.find((a) => a.default)?.id ?? raw[0]?.id ?? (ids.has('main') ? 'main' : [...ids][0])
  const defaultsWorkspace = getPath(config, 'agents.defaults.workspace')

  return [...ids].map((id) => {
    const entry = raw.find((a) => a.id === id)
    const isDefault = id === defaultId
    let workspaceCandidates: string[]
    let workspaceSource: AgentInfo['workspaceSource'] = 'config'
    if (typeof entry?.workspace === 'string') workspaceCandidates = [abs(entry.workspace, home)]
    else if (isDefault && typeof defaultsWorkspace === 'string') workspaceCandidates = [abs(defaultsWorkspace, home)]
    else {
      workspaceSource = 'default'
      workspaceCandidates = isDefault
        ? [
            posix.join(stateDir, 'workspace'),
            posix.join(home, '.openclaw', profile && profile !== 'default' ? `workspace-${profile}` : 'workspace'),
            // The migration guide's own convention.
            posix.join(stateDir, 'workspaces', id),
          ]
        : [posix.join(stateDir, `workspace-${id}`), posix.join(stateDir, 'workspaces', id)]
    }
    const agentDir = typeof entry?.agentDir === 'string' ? abs(entry.agentDir, home) : posix.join(stateDir, 'agents', id, 'agent')
    return {id, isDefault, workspaceCandidates: [...new Set(workspaceCandidates)], workspaceSource, agentDir}
  })
}
