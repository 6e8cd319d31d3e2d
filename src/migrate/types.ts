import type {GatewayStop} from '../deployment/gateway-control.js'
import type {RootPlan} from '../deployment/roots.js'
import type {PathMapping} from '../rewrite/path-map.js'
import type {PathChange} from '../rewrite/staged.js'
import type {StepName} from '../pipeline/state-steps.js'
import type {ScheduledTask} from '../deployment/schedules.js'
import type {ServiceFile} from '../deployment/services.js'
import type {HostFacts} from '../deployment/host-facts.js'
import type {QuarantinedSession} from '../deployment/quarantine.js'
import type {HookRunResult} from '../postmigrate/engine.js'
import type {RetargetedValue} from '../rewrite/retarget-host-specific.js'
import type {RunOwner} from '../pipeline/journal.js'
import type {Finding} from '../deployment/types.js'

export type {GatewayStop, PathChange, RootPlan, StepName}

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

export interface StepRecord {
  name: StepName
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped'
  startedAt?: string
  finishedAt?: string
  detail?: string
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
    schedules?: ScheduledTask[]
    /** Where the gateway listens (absent in journals of older runs: OpenClaw's default). */
    port?: number}
  target: {host: string; user: string; group: string; home: string; stateDir: string; version?: string; os?: HostOs}
  roots: RootPlan[]
  mappings: PathMapping[]
  compress: boolean
  stop?: GatewayStop
  /** When the source gateway was down (after the stop was proven): the start of the downtime. */
  stoppedAt?: string
  /** When the gateway the hooks started on the target answered /health: the end of the downtime. */
  liveAt?: string
  /** Why the target's gateway was not seen healthy after the hooks started it. */
  liveMissing?: string
  steps: StepRecord[]
  changes: PathChange[]
  /** Transcripts moved to quarantine by --sessions scan (paths relative to the state dir). */
  quarantined?: QuarantinedSession[]
  /** Programs and native libraries pinned in the config, re-detected on the target. */
  retargeted?: RetargetedValue[]
  committed: boolean
  status: 'running' | 'failed' | 'completed' | 'rolled-back'
  error?: {code: string; message: string}
  /** The ocvm process running it (started or resumed); gone while the status says running: interrupted. */
  owner?: RunOwner
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
  /** `partial`: done, but something could not (a hook failed; a rolled-back source that does not answer /health). */
  status: 'ok' | 'partial' | 'failed' | 'planned' | 'rolled-back'
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
  /**
   * The plan only: what the final copy will move, from the source's inspection (the components
   * that travel as files). No time is estimated: ocvm has no measured rate between two hosts
   * before it sends anything.
   */
  payload?: PlanPayload
  /** The plan only: the errors and warnings `ocvm inspect` shows for the source, errors first, to see before saying yes. */
  findings?: Finding[]
  transfer?: MigrationState['transfer']
  precopy?: MigrationState['precopy']
  /**
   * The gateway was down from the source's stop until the target's gateway answered /health
   * (`until: 'target-healthy'`), or, when no hook started one, until the state was committed.
   * `wireBytes`: what was sent after the stop.
   */
  downtime?: {seconds: number; until: 'target-healthy' | 'committed'; wireBytes: number}
  archive?: Omit<ArchiveInfo, 'rootPaths'>
  /** What the user has to do now. */
  nextSteps: string[]
  warnings: string[]
  /** Each post-migrate hook's outcome (absent with --skip-hooks, --dry-run, or a no-op re-run). */
  hooks?: HookRunResult
  /** What moved, was rebuilt, was translated, needs a human (absent for --dry-run). */
  report?: MigrationReport
}

/** Bytes and files the plan moves (sessions left out with --sessions exclude). */
export interface PlanPayload {
  bytes: number
  files: number
}

/**
 * The end of a migration in four lists (issue "cross-platform"): what moved as files, what was
 * rebuilt for this machine instead of copied, what was translated for the target (paths, service
 * manager, log rotation, cron, owner), and what a human still has to do.
 */
export interface MigrationReport {
  moved: string[]
  rebuilt: string[]
  translated: string[]
  manual: string[]
}
