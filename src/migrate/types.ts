import type {PathMapping} from '../rewrite/path-map.js'
import type {ScheduledTask} from '../deployment/schedules.js'
import type {ServiceFile} from '../deployment/services.js'
import type {HostFacts} from '../deployment/host-facts.js'
import type {QuarantinedSession} from './quarantine.js'
import type {HookRunResult} from '../postmigrate/engine.js'
import type {RetargetedValue} from './retarget-host-specific.js'
import type {MigrationReport} from './report.js'

export type SessionsMode = 'include' | 'exclude' | 'scan'

export type HostOs = HostFacts['os']

/** What the user asked for (flags → one options object). */
export interface MigrateOptions {
  driver: string
  from: string
  to: string
  user?: string
  targetUser?: string
  targetHome?: string
  targetStateDir?: string
  stateDir?: string
  profile?: string
  sessions: SessionsMode
  dryRun: boolean
  force: boolean
  /** Warm pre-copy: stage the state while the gateway runs, then stop it and send only the delta. */
  precopy?: boolean
  resume?: string
  /** Post-migrate hook ids to run after commit (default: all built-ins). */
  hooks?: string[]
  skipHooks?: boolean
}

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

/** How the source gateway was stopped, so it can be started again (rollback, or the user's choice). */
export type GatewayStop =
  | {kind: 'none'}
  | {kind: 'systemd'; unit: string; scope: 'system' | 'user'}
  | {kind: 'launchd'; domain: string; label: string; plist: string}
  | {kind: 'process'; pids: number[]; user: string}

export type StepName = 'preflight' | 'precopy' | 'quiesce' | 'transfer' | 'verify' | 'rewrite' | 'commit' | 'permissions' | 'hooks' | 'report'

export interface StepRecord {
  name: StepName
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped'
  startedAt?: string
  finishedAt?: string
  detail?: string
}

export interface PathChange {
  file: string
  key: string
  from: string
  to: string
}

/** The journal of a run (no secret values: paths, names, sizes and checksums only). */
export interface MigrationState {
  version: 1
  runId: string
  createdAt: string
  options: MigrateOptions
  source: {host: string; user: string; home: string; stateDir: string; configPath: string; configFiles: string[]; version?: string; layout: string; services: ServiceFile[]
    /** The user's primary group and the OS (for the report; absent in journals of older runs). */
    group?: string; os?: HostOs
    /** Log rotation and cron jobs found (credentials masked), for the report. */
    schedules?: ScheduledTask[]}
  target: {host: string; user: string; group: string; home: string; stateDir: string; version?: string; os?: HostOs}
  roots: RootPlan[]
  mappings: PathMapping[]
  compress: boolean
  stop?: GatewayStop
  steps: StepRecord[]
  changes: PathChange[]
  /** Transcripts moved to quarantine by --sessions scan (paths relative to the state dir). */
  quarantined?: QuarantinedSession[]
  /** Programs and native libraries pinned in the config, re-detected on the target. */
  retargeted?: RetargetedValue[]
  committed: boolean
  status: 'running' | 'failed' | 'completed' | 'rolled-back'
  error?: {code: string; message: string}
  transfer?: {bytes: number; files: number; wireBytes: number; seconds: number; resumedFiles: number}
  /** The warm pre-copy pass (--precopy), while the gateway still ran. */
  precopy?: {bytes: number; files: number; wireBytes: number; seconds: number; resumedFiles: number}
  /** The post-migrate hooks' outcomes (their contract keeps secret values out of them). */
  hooks?: HookRunResult
  /** Set when the state came from an archive (`ocvm import`) instead of a live source. */
  archive?: ArchiveInfo
}

export interface ArchiveInfo {
  file: string
  format: 'ocvm' | 'openclaw-backup'
  compression: 'zstd' | 'gzip' | 'none'
  sha256: string
  bytes: number
  /** Decompressed tar length; extraction is cut off after it. */
  tarBytes: number
  /** Where each root sits inside the archive, by root index. */
  rootPaths: string[]
}

export interface MigrationResult {
  runId: string
  status: 'ok' | 'partial' | 'failed' | 'planned'
  dryRun: boolean
  source: MigrationState['source']
  target: MigrationState['target']
  roots: Array<Pick<RootPlan, 'label' | 'source' | 'target' | 'bytes' | 'files'>>
  steps: StepRecord[]
  changes: PathChange[]
  quarantined: QuarantinedSession[]
  retargeted: RetargetedValue[]
  /** Unified diffs of the files whose paths are rewritten (shown by --dry-run). */
  diffs: Array<{file: string; diff: string}>
  transfer?: MigrationState['transfer']
  precopy?: MigrationState['precopy']
  archive?: Omit<ArchiveInfo, 'rootPaths'>
  /** What the user has to do now. */
  nextSteps: string[]
  warnings: string[]
  /** Each post-migrate hook's outcome (absent with --skip-hooks, --dry-run, or a no-op re-run). */
  hooks?: HookRunResult
  /** What moved, was rebuilt, was translated, needs a human (absent for --dry-run). */
  report?: MigrationReport
}
