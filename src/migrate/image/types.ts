import type {ExportSet, VmInfo, VmSummary} from '../../drivers/api.js'
import type {HookRunResult} from '../../postmigrate/engine.js'
import type {FileFacts} from '../../transfer/files.js'
import type {ImageStepName, MoveMode} from '../../pipeline/image-steps.js'
import type {RunOwner} from '../../pipeline/journal.js'

export type {ImageStepName, MoveMode}

/** What the user asked for (flags → one options object). */
export interface ImageMigrateOptions {
  driver: string
  vm: string
  from: string
  to: string
  /** Name on the target (default: the source name). */
  targetName?: string
  /** Where files land on the target before import (default: a driver's choice on the storage's filesystem, else /var/tmp/ocvm-staging-<run>). */
  stagingDir?: string
  /** `auto` picks image when source and target allow it, the state fallback otherwise. */
  mode: 'auto' | 'image' | 'state'
  live: boolean
  /** Power the VM off if a graceful shutdown does not finish in time. */
  forceStop: boolean
  stopTimeoutSec: number
  /** Driver-specific flags (pool, network map, preserve uuid), validated by the driver. */
  driverOptions: Record<string, unknown>
  dryRun: boolean
  resume?: string
  /** Post-migrate hooks to run (default: all); with skipHooks none (the step is marked skipped). */
  hooks?: string[]
  skipHooks?: boolean
  /** For state moves: which OpenClaw deployment inside the guest, and for whom on the target (file-driver flags). */
  state?: StateMoveOptions
}

export interface StateMoveOptions {
  user?: string
  targetUser?: string
  targetHome?: string
  stateDir?: string
  targetStateDir?: string
  profile?: string
  sessions?: 'include' | 'exclude' | 'scan'
}

export interface ImageStepRecord {
  name: ImageStepName
  status: 'pending' | 'running' | 'done' | 'failed' | 'skipped'
  startedAt?: string
  finishedAt?: string
  detail?: string
}

/** The journal of an image run (no secret values). */
export interface ImageMigrationState {
  version: 1
  kind: 'image'
  runId: string
  createdAt: string
  options: ImageMigrateOptions
  mode: MoveMode
  /** Why this mode, in words the user sees in the plan. */
  modeReason: string
  /** `autostart`: the hypervisor started it at boot before the cutover turned that off (absent: it did not, or the driver cannot tell). */
  source: {host: string; vm: VmInfo; wasRunning: boolean; autostart?: boolean}
  /** Image moves through a registry (`--driver-opt registry=REF`): the reference, never a credential. */
  registry?: string
  /** `vm`: a hypervisor host that gets a VM; `host`: a bare host that gets the OpenClaw state itself. */
  target: {host: string; kind: 'vm' | 'host'; name: string; stagingDir: string; arch?: string}
  exportSet?: ExportSet
  facts?: FileFacts[]
  transfer?: {bytes: number; allocated: number; wireBytes: number; seconds: number; resumedFiles: number}
  imported?: VmSummary
  /** The nested file-driver run that moved the state (state mode). */
  stateRun?: string
  guest?: {label: string; system?: string}
  /** The moved VM runs, but ocvm could not get into it (so the hooks did not run): why, and how to fix it. */
  unreachableGuest?: {message: string; hint?: string}
  /** When the stop step asked the source VM to shut down (a rollback after a crash lets that finish first). */
  stopRequestedAt?: string
  /** The post-migrate hooks' outcomes where the gateway now runs. */
  hooks?: HookRunResult
  /** What the user should know that is not an error (e.g. no deployment found inside the guest). */
  warnings?: string[]
  /** State mode started the stopped source VM to read the state from inside it. */
  startedSource?: boolean
  steps: ImageStepRecord[]
  committed: boolean
  status: 'running' | 'failed' | 'completed' | 'rolled-back'
  error?: {code: string; message: string}
  /** The ocvm process running it (started or resumed). */
  owner?: RunOwner
}

export interface ImageMigrationResult {
  kind: 'image'
  runId: string
  status: 'ok' | 'partial' | 'failed' | 'planned' | 'rolled-back'
  dryRun: boolean
  driver: string
  mode: MoveMode
  modeReason: string
  source: ImageMigrationState['source']
  target: ImageMigrationState['target']
  steps: ImageStepRecord[]
  transfer?: ImageMigrationState['transfer']
  imported?: VmSummary
  guest?: ImageMigrationState['guest']
  hooks?: HookRunResult
  nextSteps: string[]
  warnings: string[]
}
