import type {Context} from '../context.js'
import {probeHost, type HostFacts} from '../deployment/host-facts.js'
import {inspectWithFacts, type InspectOptions} from '../deployment/inspect.js'
import {existingPaths} from '../hosts/remote-fs.js'
import {compareVersions} from '../deployment/version.js'
import {MissingToolError, OcvmError} from '../errors.js'
import type {HostSpec} from '../hosts/host-spec.js'
import {settledInOrder} from '../hosts/in-order.js'
import type {Shell} from '../hosts/shell.js'
import {planLayout} from './plan-layout.js'
import {previewRewrites} from '../rewrite/staged.js'
import {STEPS} from '../pipeline/state-steps.js'
import type {Component, Finding, Inventory} from '../deployment/types.js'
import type {MigrateOptions, MigrationState, PlanPayload, StepRecord} from './types.js'

/** Minimum free space on the target: the payload plus 10 % and 64 MiB. */
export function requiredBytes(payload: number): number {
  return Math.ceil(payload * 1.1) + 64 * 1024 * 1024
}

/** How to find the source deployment on `host` (the same flags as `ocvm inspect`). */
function inspectOptions(options: MigrateOptions, host: HostSpec): InspectOptions {
  return {host, ...(options.user ? {user: options.user} : {}), ...(options.stateDir ? {stateDir: options.stateDir} : {}), ...(options.profile ? {profile: options.profile} : {})}
}

/**
 * Read-only checks of both ends, the plan (where everything goes) and the path rewrites it implies.
 * Throws before anything changes. Independent round trips run at the same time: the source
 * inspection with the target's probe, then the target checks with the rewrite preview on the source.
 */
export async function preflight(options: MigrateOptions, runId: string, source: Shell, target: Shell, ctx: Context) {
  const knownTargetUser = options.targetUser ?? options.user
  const [{inventory, facts: sourceFacts}, early] = await settledInOrder([
    inspectWithFacts(inspectOptions(options, source.host), ctx),
    knownTargetUser === undefined ? Promise.resolve(undefined) : probeHost(target, knownTargetUser),
  ] as const)
  const warnings: string[] = []
  ctx.reporter.step(`Probing target ${target.label}`)
  const targetFacts = early ?? await probeHost(target, inventory.user)
  requireTools(source, sourceFacts, ['tar', 'find', 'sha256sum'])
  requireTools(target, targetFacts, ['tar', 'find', 'sha256sum'])
  const account = {user: targetFacts.user, group: targetFacts.group || targetFacts.user, home: options.targetHome ?? targetFacts.home}
  const layout = planLayout(inventory, account, options, runId)

  // OpenClaw refuses state written by a newer schema (openclaw.md §1d): the target must be the same or newer.
  const sourceVersion = inventory.version.config ?? inventory.version.cli
  const targetVersion = targetFacts.openclaw?.version
  checkTargetVersion(target, targetVersion, sourceVersion)
  if (!targetVersion) warnings.push(noOpenclawOnTarget(target.label, sourceVersion))
  if (inventory.gateway.running) warnings.push('the source gateway is running: it will be stopped before the final copy')
  if (options.sessions === 'exclude' && inventory.layout.generation === 'sqlite') warnings.push('--sessions exclude only drops JSONL session files; SQLite-era sessions live in the agent database and move with it')

  const payload = inventory.components.filter((c) => c.treatment === 'transfer' || c.treatment === 'optional').reduce((n, c) => n + c.sizeBytes, 0)
  const state: MigrationState = {
    version: 1,
    runId,
    createdAt: new Date().toISOString(),
    options,
    source: {host: source.label, user: inventory.user, home: inventory.home, stateDir: inventory.stateDir, configPath: inventory.configPath, configFiles: inventory.configFiles.map((f) => f.path), ...(sourceVersion ? {version: sourceVersion} : {}), layout: inventory.layout.generation, services: inventory.services, group: sourceFacts.group, os: sourceFacts.os, schedules: inventory.schedules, port: inventory.gateway.port},
    target: {host: target.label, user: account.user, group: account.group, home: account.home, stateDir: layout.targetStateDir, ...(targetVersion ? {version: targetVersion} : {}), os: targetFacts.os},
    roots: layout.roots,
    mappings: layout.mappings,
    compress: Boolean(sourceFacts.tools.zstd && targetFacts.tools.zstd),
    steps: STEPS.map((name) => ({name, status: 'pending'} as StepRecord)),
    changes: [],
    committed: false,
    status: 'running',
  }
  // On one host as one user (another --target-state-dir), the user's gateway is the source's own.
  if (source.label !== target.label || account.user !== inventory.user) checkNoTargetGateway(target, targetFacts, account.user)
  checkCanGiveFiles(target, targetFacts, account.user)
  const [, , , preview] = await settledInOrder([
    checkNothingInTheWay(target, layout.roots.map((r) => r.target), options.force),
    checkWritable(target, layout.roots.map((r) => r.target)),
    checkFreeSpace(target, layout.targetStateDir, payload),
    previewRewrites(source, state),
  ] as const)
  return {state, warnings, preview, payload: plannedPayload(inventory, options.sessions), findings: findingsToShow(inventory)}
}

/**
 * What the state move sends: the components that travel as files (the same sum as inspect's "to
 * transfer", and what the transfer then reports), without the JSONL transcripts --sessions exclude
 * leaves behind.
 */
export function plannedPayload(inventory: Pick<Inventory, 'components' | 'layout'>, sessions: MigrateOptions['sessions']): PlanPayload {
  const dropped = (c: Component) => sessions === 'exclude' && c.kind === 'sessions' && inventory.layout.generation === 'jsonl'
  const moved = inventory.components.filter((c) => (c.treatment === 'transfer' || c.treatment === 'optional') && !dropped(c))
  return {bytes: moved.reduce((n, c) => n + c.sizeBytes, 0), files: moved.reduce((n, c) => n + c.fileCount, 0)}
}

// The plan's own warning says the running gateway will be stopped: its finding would say it twice.
const SAID_BY_THE_PLAN = new Set(['gateway-running'])

/** The source's findings a user must see before saying yes (what inspect shows as ERROR and WARN), errors first. */
export function findingsToShow(inventory: Pick<Inventory, 'findings'>): Finding[] {
  const shown = inventory.findings.filter((f) => f.severity !== 'info' && !SAID_BY_THE_PLAN.has(f.code))
  return [...shown.filter((f) => f.severity === 'error'), ...shown.filter((f) => f.severity !== 'error')]
}

// What the probe calls the GNU flavour of a tool (absent from older probes: then not checked).
const GNU_FLAVOUR: Record<string, {key: string; brew: string; lacks: string}> = {
  find: {key: 'gnu-find', brew: 'findutils', lacks: 'no -printf'},
  tar: {key: 'gnu-tar', brew: 'gnu-tar', lacks: 'no --warning, --delay-directory-restore'},
}

export function requireTools(shell: Shell, facts: {tools: Record<string, boolean>; os?: string}, tools: readonly string[]): void {
  for (const tool of tools) {
    if (!facts.tools[tool]) throw new MissingToolError(shell.label, tool, `Install it on ${shell.label} (GNU coreutils/findutils/tar${tools.includes('zstd') ? ', zstd' : ''}).`)
    const gnu = GNU_FLAVOUR[tool]
    if (gnu && facts.tools[gnu.key] === false) {
      throw new OcvmError('missing-tool', `the \`${tool}\` on ${shell.label} is not GNU ${tool} (${gnu.lacks}); ocvm lists and streams the state with GNU ${tool}`, {
        hint: facts.os === 'macos'
          ? `On the Mac: brew install ${gnu.brew}, then put $(brew --prefix)/opt/${gnu.brew}/libexec/gnubin first on the PATH of ssh sessions (e.g. in ~/.zshenv), and run ocvm again.`
          : `Install GNU ${tool} on ${shell.label} and make it the first ${tool} on the PATH.`,
      })
    }
  }
}

/** OpenClaw refuses state written by a newer schema (openclaw.md §1d): the target must be the same or newer. */
export function checkTargetVersion(target: Shell, targetVersion: string | undefined, sourceVersion: string | undefined): void {
  if (sourceVersion && targetVersion && compareVersions(targetVersion, sourceVersion) < 0) {
    throw new OcvmError('target-too-old', `OpenClaw on ${target.label} is ${targetVersion}, older than the source's ${sourceVersion}`, {hint: `Upgrade OpenClaw on the target first (npm install -g openclaw@${sourceVersion} or newer).`})
  }
}

/**
 * The target has no OpenClaw yet: what to install there. Unknown source version (no CLI, no
 * `meta.lastTouchedVersion`): the newest release, since the target must not be older than the state.
 */
export function noOpenclawOnTarget(target: string, sourceVersion: string | undefined): string {
  const what = sourceVersion
    ? `OpenClaw ${sourceVersion} or newer (npm install -g openclaw@${sourceVersion})`
    : 'the newest OpenClaw (npm install -g openclaw@latest); the source\'s version is unknown, and an OpenClaw older than the state refuses it'
  return `OpenClaw is not installed on ${target} (for the login user): before starting the gateway there, install ${what}.`
}

/** A gateway of the target user already runs there: it would run on what this run puts in place, next to the moved one. */
export function checkNoTargetGateway(target: Shell, facts: Pick<HostFacts, 'gatewayProcesses'>, user: string): void {
  const running = facts.gatewayProcesses.filter((p) => p.user === user)
  if (running.length === 0) return
  throw new OcvmError('target-gateway-running', `a gateway of ${user} already runs on ${target.label} (pid ${running.map((p) => p.pid).join(', ')}): two gateways of one deployment must never run`, {
    hint: `Stop it on the target first (systemctl disable --now openclaw-gateway, launchctl bootout …, or kill ${running.map((p) => p.pid).join(' ')}), then run the migration again; the hooks start the moved one.`,
  })
}

/** The files land as the login user and are then given to the target user: only root (or that user) can. */
export function checkCanGiveFiles(target: Shell, facts: Pick<HostFacts, 'loginUser' | 'loginUid'>, user: string): void {
  if (facts.loginUid === 0 || facts.loginUser === user) return
  throw new OcvmError('target-not-writable', `ocvm logs in to ${target.label} as ${facts.loginUser}, who cannot give the moved files to ${user}`, {
    hint: `Connect as root (--to root@host) or as ${user} (--to ${user}@host).`,
  })
}

// The nearest existing ancestor of each path, where it is not writable by the login user.
const NOT_WRITABLE = String.raw`
for t in "$@"; do d=$(dirname -- "$t"); while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; [ -w "$d" ] || printf '%s\n' "$d"; done
exit 0
`

/** Every staging dir is made beside its target: its parent must be writable by the user ocvm logs in as. */
export async function checkWritable(target: Shell, paths: readonly string[]): Promise<void> {
  const denied = [...new Set((await target.script(NOT_WRITABLE, [...paths], {timeoutMs: 30_000})).stdout.split('\n').filter(Boolean))]
  if (denied.length > 0) {
    throw new OcvmError('target-not-writable', `${denied.join(', ')} on ${target.label} is not writable by the user ocvm logs in as`, {
      hint: 'Connect as root (--to root@host), or give that user write access there, or choose another --target-state-dir / --target-home.',
    })
  }
}

export async function checkNothingInTheWay(target: Shell, paths: readonly string[], force: boolean): Promise<void> {
  const existing = await existingPaths(target, paths)
  const blocked = paths.filter((p) => existing.has(p))
  if (blocked.length > 0 && !force) {
    throw new OcvmError('target-exists', `${blocked.join(', ')} already exist(s) on ${target.label}`, {hint: 'Move into a fresh target, or pass --force to keep the existing copy aside (renamed to *.ocvm-old-<run>).'})
  }
}

export async function checkFreeSpace(target: Shell, dir: string, payload: number): Promise<void> {
  const free = await freeBytes(target, dir)
  if (free !== undefined && free < requiredBytes(payload)) {
    throw new OcvmError('target-disk-full', `not enough free space on ${target.label}: ${Math.round(free / 1048576)} MiB free, ${Math.round(requiredBytes(payload) / 1048576)} MiB needed`, {hint: 'Free some space on the target (or choose another --target-state-dir) and run again.'})
  }
}

async function freeBytes(shell: Shell, dir: string): Promise<number | undefined> {
  // df on the nearest existing ancestor of the (maybe not yet existing) target dir.
  const result = await shell.script('d="$1"; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; df -Pk -- "$d" | tail -n 1', [dir], {allowFailure: true, timeoutMs: 30_000})
  const available = Number(result.stdout.trim().split(/\s+/)[3])
  return Number.isFinite(available) ? available * 1024 : undefined
}
