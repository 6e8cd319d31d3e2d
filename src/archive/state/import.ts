import {stat} from 'node:fs/promises'
import {basename, resolve} from 'node:path'

import type {Context} from '../../context.js'
import type {StateDriver} from '../../drivers/api.js'
import {probeHost} from '../../deployment/host-facts.js'
import {inspectDeployment} from '../../deployment/inspect.js'
import {isInside, posix} from '../../hosts/remote-fs.js'
import {AbortedError} from '../../errors.js'
import {formatHostSpec, type HostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {ensureParent} from '../../deployment/commit.js'
import {writeManifest} from '../../migrate/run-manifests.js'
import {Journal, newRunId, runOwner} from '../../pipeline/journal.js'
import {stagingPath} from '../../migrate/plan-layout.js'
import {checkFreeSpace, checkNothingInTheWay, checkTargetVersion, noOpenclawOnTarget, requireTools} from '../../migrate/preflight.js'
import {danglingOnTarget, nextSteps, toResult} from '../../migrate/result.js'
import {classifyRewriteFile, oldDirs, planFileRewrite, type RewriteOutcome} from '../../rewrite/staged.js'
import {runPlan} from '../../pipeline/runner.js'
import {statePlan} from '../../migrate/state/plan.js'
import {STEPS} from '../../pipeline/state-steps.js'
import type {MigrationResult, MigrationState, RootPlan, SessionsMode, StepName, StepRecord} from '../../migrate/types.js'
import {PathMap, type PathMapping} from '../../rewrite/path-map.js'
import type {Manifest} from '../../transfer/manifest.js'
import {extractArchive, relocateRoots, removeDir} from './extract.js'
import {type ArchiveScan, scanArchive} from './scan.js'

export interface ImportOptions {
  /** The state mover that reaches the target (`file`: the host itself). */
  driver: StateDriver
  archive: string
  to: HostSpec
  targetUser?: string
  targetHome?: string
  targetStateDir?: string
  sessions: SessionsMode
  dryRun: boolean
  force: boolean
}

export interface ImportCallbacks {
  confirm?: (plan: MigrationResult) => Promise<boolean>
}

const SESSIONS_RE = /^agents\/[^/]+\/sessions(\/|$)/

/**
 * `ocvm import`: the second half of a two-step move. The archive (ocvm export, or openclaw backup
 * create) is read and checked completely on this machine first; only a clean archive is streamed to
 * the target, unpacked into a 0700 staging dir, verified file by file, and then goes through the
 * same rewrite → commit → permissions steps as `ocvm migrate`.
 */
export async function importArchive(options: ImportOptions, ctx: Context, callbacks: ImportCallbacks = {}): Promise<MigrationResult> {
  const file = resolve(options.archive)
  ctx.reporter.step(`Checking ${file}: every entry and every file's SHA-256, before anything is written`)
  const size = await stat(file).then((s) => s.size, () => 0)
  const checking = ctx.reporter.progress('checking', size)
  const scan = await scanArchive(file, {runner: ctx.runner, keepTexts: options.dryRun, onProgress: (n) => checking.update(n), ...(ctx.signal ? {signal: ctx.signal} : {})})
  checking.done()
  ctx.reporter.step(`${scan.format === 'ocvm' ? 'ocvm export' : 'openclaw backup'} archive, ${scan.entries} entries, ${scan.declaredBytes} bytes unpacked, SHA-256 ${scan.sha256}`)

  const target = await options.driver.stateShell(options.to, ctx)
  const runId = newRunId()
  const state = await plan(scan, options, runId, target, ctx)
  const warnings = [...scan.warnings]
  if (scan.quiesced === false) warnings.push('the archive was exported with --no-quiesce: SQLite files in it may be torn; run `openclaw doctor` on the target')
  if (!state.target.version) warnings.push(noOpenclawOnTarget(target.label, state.source.version))
  const planned = toResult(state, {diffs: [], warnings, nextSteps: []})
  const preview = previewFromArchive(scan, state)
  planned.diffs = preview.diffs
  planned.changes = preview.changes
  if (options.dryRun) return {...planned, status: 'planned', dryRun: true, nextSteps: ['Nothing was changed. Run the same command without --dry-run to import.']}
  if (callbacks.confirm && !(await callbacks.confirm(planned))) throw new AbortedError('import')

  const journal = Journal.create(runId, {...state, owner: runOwner()})
  ctx.reporter.step(`Run ${runId} (journal: ${journal.dir})`)
  await Promise.all(scan.roots.map((root) => writeManifest(journal.dir, root.index, expectedManifest(root.manifest, options.sessions, root.kind))))

  const extractDir = stagingPath(posix.join(posix.dirname(state.target.stateDir), 'archive'), runId)
  // The state is already on the target (in the archive): "source" and target are the same host.
  const steps = statePlan({journal, source: target, target, ctx}, {
    quiesce: async () => {},
    transfer: async () => {
      const started = Date.now()
      for (const root of state.roots) await ensureParent(target, root.target, `${state.target.user}:${state.target.group}`)
      const progress = ctx.reporter.progress(basename(file), scan.archiveBytes)
      try {
        const {wireBytes} = await extractArchive({
          target, file, dest: extractDir, compression: scan.compression, tarBytes: scan.tarBytes, sha256: scan.sha256, declaredBytes: scan.declaredBytes,
          onProgress: (n) => progress.update(n), ...(ctx.signal ? {signal: ctx.signal} : {}),
        })
        progress.done()
        await relocateRoots(target, extractDir, state.roots.map((r) => ({archivePath: state.archive?.rootPaths[r.index] ?? '', staging: r.staging})))
        if (options.sessions === 'exclude') await dropSessions(target, state.roots)
        journal.update({transfer: {bytes: scan.declaredBytes, files: scan.roots.reduce((n, r) => n + r.manifest.files, 0), wireBytes, seconds: (Date.now() - started) / 1000, resumedFiles: 0}})
      } finally {
        await removeDir(target, extractDir)
      }
      return `${scan.entries} entries unpacked into staging on ${target.label}`
    },
  }, {
    // No resume for an import: any failure before the commit removes staging, so the target is as it was.
    removeStagingOn: () => true,
  })
  await runPlan(journal, steps, ctx.reporter)

  const t = journal.data.target
  const inventory = await inspectDeployment({host: target.host, user: t.user, home: t.home, stateDir: t.stateDir}, ctx)
  journal.update({status: 'completed'})
  return toResult(journal.data, {
    diffs: [], warnings: [...warnings, ...danglingOnTarget(inventory)],
    nextSteps: [`The archive ${file} is unchanged (SHA-256 ${scan.sha256}).`, `Set the target up to run (secrets, service, schedules, memory index): ocvm hooks run --on ${formatHostSpec(options.to)} --user ${t.user}`, ...nextSteps(journal.data, inventory).slice(1)],
  })
}

/** Read-only checks of the target, and where each root of the archive goes. */
async function plan(scan: ArchiveScan, options: ImportOptions, runId: string, target: Shell, ctx: Context): Promise<MigrationState> {
  ctx.reporter.step(`Probing target ${target.label}`)
  const facts = await probeHost(target, options.targetUser ?? scan.source.user)
  requireTools(target, facts, ['tar', 'find', 'sha256sum', ...(scan.compression === 'zstd' ? ['zstd'] : [])])
  const account = {user: facts.user, group: facts.group || facts.user, home: options.targetHome ?? facts.home}
  const src = scan.source
  const targetStateDir = options.targetStateDir ?? (isInside(src.stateDir, src.home) ? posix.join(account.home, posix.relative(src.home, src.stateDir)) : src.stateDir)
  const mappings: PathMapping[] = [{from: src.stateDir, to: targetStateDir}, {from: src.home, to: account.home}]
  const map = new PathMap(mappings)
  const roots: RootPlan[] = scan.roots.map((r) => {
    const to = r.kind === 'state' ? targetStateDir : map.mapPath(r.source) ?? r.source
    return {index: r.index, kind: r.kind, label: r.label, source: r.source, target: to, staging: stagingPath(to, runId), exclude: [], bytes: r.manifest.bytes, files: r.manifest.files}
  })
  checkTargetVersion(target, facts.openclaw?.version, src.version)
  await checkNothingInTheWay(target, roots.map((r) => r.target), options.force)
  await checkFreeSpace(target, targetStateDir, scan.declaredBytes)
  const targetVersion = facts.openclaw?.version
  return {
    version: 1,
    runId,
    createdAt: new Date().toISOString(),
    options: {driver: options.driver.name, from: `archive:${scan.file}`, to: formatHostSpec(options.to), sessions: options.sessions, dryRun: options.dryRun, force: options.force, ...(options.targetUser ? {targetUser: options.targetUser} : {}), ...(options.targetHome ? {targetHome: options.targetHome} : {}), ...(options.targetStateDir ? {targetStateDir: options.targetStateDir} : {})},
    source: {host: `archive:${basename(scan.file)}`, ...src, services: []},
    target: {host: target.label, user: account.user, group: account.group, home: account.home, stateDir: targetStateDir, ...(targetVersion ? {version: targetVersion} : {})},
    roots,
    mappings,
    compress: scan.compression !== 'none',
    // No warm pre-copy from an archive: that step is not part of an import.
    steps: STEPS.filter((name) => name !== 'precopy').map((name) => initialStep(name, scan, `ocvm hooks run --on ${formatHostSpec(options.to)} --user ${account.user}`)),
    changes: [],
    committed: false,
    status: 'running',
    archive: {file: scan.file, format: scan.format, compression: scan.compression, sha256: scan.sha256, bytes: scan.archiveBytes, tarBytes: scan.tarBytes, rootPaths: scan.roots.map((r) => r.archivePath)},
  }
}

/** An import starts with nothing to stop, and leaves the hooks to \`ocvm hooks run\` (named in the step). */
function initialStep(name: StepName, scan: ArchiveScan, hooksCommand: string): StepRecord {
  if (name === 'preflight') return {name, status: 'done'}
  if (name === 'quiesce') return {name, status: 'skipped', detail: scan.quiesced === false ? 'archive exported without stopping the gateway' : 'nothing to stop: the archive is the source'}
  if (name === 'hooks') return {name, status: 'skipped', detail: `not run by import: set the target up with ${hooksCommand}`}
  return {name, status: 'pending'}
}

/** The manifest staging must match: the archive's, minus transcripts when they are left out. */
function expectedManifest(manifest: Manifest, sessions: SessionsMode, kind: RootPlan['kind']): Manifest {
  if (sessions !== 'exclude' || kind !== 'state') return manifest
  const entries = manifest.entries.filter((e) => !SESSIONS_RE.test(e.path))
  const files = entries.filter((e) => e.type === 'file')
  return {entries, files: files.length, bytes: files.reduce((n, e) => n + e.size, 0)}
}

async function dropSessions(target: Shell, roots: readonly RootPlan[]): Promise<void> {
  const state = roots.find((r) => r.kind === 'state')
  if (state) await target.script('cd -- "$1" && for d in agents/*/sessions; do [ -d "$d" ] && rm -rf -- "$d"; done; exit 0', [state.staging], {timeoutMs: 10 * 60_000})
}

/** The path rewrites an import will make, computed on the JSON texts read from the archive (--dry-run). */
function previewFromArchive(scan: ArchiveScan, state: MigrationState): RewriteOutcome {
  const outcome: RewriteOutcome = {changes: [], diffs: [], skipped: []}
  const needles = oldDirs(state)
  if (needles.length === 0) return outcome
  const map = new PathMap(state.mappings)
  const configFiles = new Set<string>()
  const located: Array<{finalPath: string; text: string}> = []
  for (const [rel, text] of scan.texts) {
    const root = scan.roots.find((r) => rel.startsWith(`${r.archivePath}/`))
    const plan = root && state.roots.find((r) => r.index === root.index)
    if (!root || !plan || !needles.some((n) => text.includes(n))) continue
    const inRoot = rel.slice(root.archivePath.length + 1)
    const finalPath = posix.join(plan.target, inRoot)
    if (state.source.configFiles.includes(posix.join(root.source, inRoot))) configFiles.add(finalPath)
    located.push({finalPath, text})
  }
  for (const f of located.sort((a, b) => (a.finalPath < b.finalPath ? -1 : 1))) {
    planFileRewrite({finalPath: f.finalPath, kind: classifyRewriteFile(f.finalPath, state.target.stateDir, configFiles)}, f.text, map, outcome)
  }
  return outcome
}
