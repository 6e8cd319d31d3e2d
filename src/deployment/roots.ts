/** One tree that moves: the state dir, or a workspace that lives outside it. */
export interface RootPlan {
  index: number
  kind: 'state' | 'workspace'
  label: string
  source: string
  target: string
  /** Where it lands first on the target, next to `target` (same filesystem, so commit is a rename). */
  staging: string
  /** `find -path` patterns (relative to the root) that do not move. */
  exclude: string[]
  bytes: number
  files: number
  /** Set once this root's staging dir has been renamed into place (the commit point of this root). */
  activated?: boolean
  /** Set just before the rename: a resumed run then knows a missing staging dir next to a present target is this run's. */
  activating?: boolean
}
