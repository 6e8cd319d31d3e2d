import {isInside, posix} from '../hosts/remote-fs.js'
import type {Inventory} from '../deployment/types.js'
import {PathMap, type PathMapping} from '../rewrite/path-map.js'
import type {MigrateOptions, RootPlan} from './types.js'

export interface TargetAccount {
  user: string
  group: string
  home: string
}

export interface Layout {
  targetStateDir: string
  mappings: PathMapping[]
  roots: RootPlan[]
}

/** Parts that never move as files: rebuilt or reinstalled on the target (openclaw.md §5, §8). */
const ALWAYS_EXCLUDED = ['./memory', './extensions/*/node_modules']

/**
 * Pure: where everything goes on the target. The state dir keeps its place relative to the home
 * (`/Users/alice/.openclaw` → `/home/bob/.openclaw`) unless --target-state-dir says otherwise;
 * workspaces outside the state dir follow the same mappings.
 */
export function planLayout(inv: Inventory, account: TargetAccount, options: Pick<MigrateOptions, 'targetStateDir' | 'sessions'>, runId: string): Layout {
  const targetStateDir = options.targetStateDir
    ?? (isInside(inv.stateDir, inv.home) ? posix.join(account.home, posix.relative(inv.home, inv.stateDir)) : inv.stateDir)
  const mappings: PathMapping[] = [{from: inv.stateDir, to: targetStateDir}, {from: inv.home, to: account.home}]
  const map = new PathMap(mappings)

  const staging = (target: string) => stagingPath(target, runId)
  const roots: RootPlan[] = [{
    index: 0,
    kind: 'state',
    label: 'state dir',
    source: inv.stateDir,
    target: targetStateDir,
    staging: staging(targetStateDir),
    exclude: [...ALWAYS_EXCLUDED, ...(options.sessions === 'exclude' ? ['./agents/*/sessions'] : [])],
    bytes: 0,
    files: 0,
  }]
  for (const agent of inv.agents) {
    if (!agent.workspaceExists || isInside(agent.workspace, inv.stateDir)) continue
    if (roots.some((r) => isInside(agent.workspace, r.source))) continue
    const target = map.mapPath(agent.workspace) ?? agent.workspace
    roots.push({index: roots.length, kind: 'workspace', label: `workspace (${agent.id})`, source: agent.workspace, target, staging: staging(target), exclude: [], bytes: 0, files: 0})
  }
  return {targetStateDir, mappings, roots}
}

/** The 0700 dir a root lands in first: next to its target (same filesystem, so activation is a rename). */
export function stagingPath(target: string, runId: string): string {
  return posix.join(posix.dirname(target), `.ocvm-staging-${runId}-${posix.basename(target)}`)
}
