import type {Context} from '../context.js'
import {inspectDeployment} from '../deployment/inspect.js'
import {probeHost} from '../deployment/host-facts.js'
import {existingPaths, posix} from '../deployment/remote-fs.js'
import type {Inventory} from '../deployment/types.js'
import {compareVersions} from '../deployment/version.js'
import {UnsupportedError, OcvmError, UsageError} from '../errors.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import type {Shell} from '../hosts/shell.js'
import {PathMap} from '../rewrite/path-map.js'
import {activateRoot, applyPermissions, removeStaging} from './commit.js'
import {transferRoots, verifyRoots, type CopyContext} from './copy-roots.js'
import {describeStop, startGateway, stopGateway} from './gateway-control.js'
import {Journal, listJournals, newRunId} from './journal.js'
import {planLayout} from './plan-layout.js'
import {classifyRewriteFile, findFilesMentioning, rewriteFiles, type RewriteFile} from './rewrite-paths.js'
import type {MigrateOptions, MigrationResult, MigrationState, StepName, StepRecord} from './types.js'

export const STEP_DESCRIPTIONS: Record<StepName, string> = {
  preflight: 'check both hosts: tools, target user, free disk, OpenClaw versions, nothing in the way',
  quiesce: 'stop the source gateway (no live SQLite is ever copied)',
  transfer: 'stream the state as tar|zstd into a 0700 staging dir on the target, with per-file SHA-256',
  verify: 're-checksum everything in staging against the source manifest',
  rewrite: 'rewrite old home/state paths in config, $include files, sessions.json and state JSON',
  commit: 'move the verified staging dirs into place (atomic rename; --force keeps an old target aside)',
  permissions: 'chown to the target user; 700 dirs, 600 config, credentials, auth profiles, identity',
  report: 'inspect the result on the target and list what needs a human',
}
const STEPS = Object.keys(STEP_DESCRIPTIONS) as StepName[]
/** Steps after this one change the target for real: before it, a failure leaves only staging behind. */
const COMMIT_STEP: StepName = 'commit'

export interface MigrateHooks {
  /** Asked once the plan is known, before anything changes (the command prompts, or --yes). */
  confirm?: (plan: MigrationResult) => Promise<boolean>
}

/** Minimum free space on the target: the payload plus 10 % and 64 MiB. */
export function requiredBytes(payload: number): number {
  return Math.ceil(payload * 1.1) + 64 * 1024 * 1024
}

export async function migrate(options: MigrateOptions, ctx: Context, hooks: MigrateHooks = {}): Promise<MigrationResult> {
  if (options.driver !== 'file') {
    throw new UnsupportedError(`the ${options.driver} driver cannot migrate yet`, 'Use --driver file to move the OpenClaw state between hosts.')
  }
  const source = ctx.shells.get(parseHostSpec(options.from))
  const target = ctx.shells.get(parseHostSpec(options.to))
  if (source.label === target.label && !options.targetStateDir) {
    throw new UsageError('--from and --to are the same host', 'Give a different --to, or --target-state-dir to copy into another directory on the same host.')
  }

  const alreadyDone = options.resume || options.dryRun || options.force ? undefined : await completedRunFor(options, target)
  if (alreadyDone) {
    ctx.reporter.step(`Run ${alreadyDone.runId} already migrated this deployment to ${options.to}; nothing to do`)
    return toResult(alreadyDone.data, {diffs: [], warnings: [], nextSteps: [`Nothing changed: run ${alreadyDone.runId} already completed this migration. Use --force to migrate again over it.`]})
  }

  let journal: Journal<MigrationState>
  if (options.resume) {
    journal = Journal.open<MigrationState>(options.resume)
    if (journal.data.status === 'completed') {
      ctx.reporter.step(`Run ${options.resume} already completed; nothing to do`)
      return toResult(journal.data, {diffs: [], warnings: [], nextSteps: ['Nothing changed: the run had already completed.']})
    }
    ctx.reporter.step(`Resuming run ${options.resume}`)
  } else {
    const runId = newRunId()
    const {state, inventory, warnings} = await preflight(options, runId, source, target, ctx)
    const plan = toResult(state, {diffs: [], warnings, nextSteps: []})
    const preview = await previewRewrites(source, state, inventory)
    plan.diffs = preview.diffs
    plan.changes = preview.changes
    if (options.dryRun) {
      return {...plan, status: 'planned', dryRun: true, nextSteps: ['Nothing was changed. Run the same command without --dry-run to migrate.']}
    }
    if (hooks.confirm && !(await hooks.confirm(plan))) throw new OcvmError('aborted', 'migration cancelled; nothing was changed', {hint: 'Run again and answer y, or pass --yes.'})
    journal = Journal.create(runId, {...state, steps: state.steps.map((s) => (s.name === 'preflight' ? {...s, status: 'done'} : s))})
    ctx.reporter.step(`Run ${runId} (journal: ${journal.dir})`)
  }

  const copy: CopyContext = {source, target, journal, reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {})}
  const actions: Record<StepName, () => Promise<string | void>> = {
    preflight: async () => {},
    quiesce: async () => {
      const inventory = await inspectDeployment(inspectOptions(options), ctx)
      const facts = await probeHost(source, undefined)
      const stop = await stopGateway(source, inventory, facts)
      journal.update({stop})
      return `source gateway ${describeStop(stop)}`
    },
    transfer: async () => {
      await transferRoots(copy)
      const t = journal.data.transfer
      return t ? `${t.files} files, ${t.bytes} bytes (${t.wireBytes} on the wire${t.resumedFiles ? `, ${t.resumedFiles} already there` : ''})` : undefined
    },
    verify: async () => verifyRoots(copy),
    rewrite: async () => {
      const outcome = await rewriteStaged(target, journal.data)
      journal.update({changes: outcome.changes})
      return `${outcome.changes.length} path(s) rewritten in ${new Set(outcome.changes.map((c) => c.file)).size} file(s)`
    },
    commit: async () => {
      const roots = journal.data.roots.map((r) => ({...r}))
      for (const root of roots) {
        if (root.activated) continue
        await activateRoot(target, root, {force: options.force, runId: journal.runId})
        root.activated = true
        journal.update({roots, committed: true})
      }
    },
    permissions: async () => {
      const {target: t, roots} = journal.data
      await applyPermissions(target, t.stateDir, `${t.user}:${t.group}`, roots.filter((r) => r.kind !== 'state').map((r) => r.target))
    },
    report: async () => {},
  }

  for (const name of STEPS) {
    const record = journal.data.steps.find((s) => s.name === name)
    if (!record || record.status === 'done') continue
    setStep(journal, name, {status: 'running', startedAt: new Date().toISOString()})
    ctx.reporter.step(`${name}: ${STEP_DESCRIPTIONS[name]}`)
    try {
      const detail = await actions[name]()
      setStep(journal, name, {status: 'done', finishedAt: new Date().toISOString(), ...(detail ? {detail} : {})})
    } catch (error) {
      await onFailure(error, name, journal, target)
      throw error
    }
  }

  const t = journal.data.target
  const targetInventory = await inspectDeployment({host: target.host, user: t.user, home: t.home, stateDir: t.stateDir}, ctx)
  journal.update({status: 'completed'})
  return toResult(journal.data, {diffs: [], warnings: danglingOnTarget(targetInventory), nextSteps: nextSteps(journal.data, targetInventory)})
}

/** The same migration (same hosts, users and dirs) already completed and still in place: a re-run is a no-op. */
async function completedRunFor(options: MigrateOptions, target: Shell): Promise<Journal<MigrationState> | undefined> {
  const same = (o: MigrateOptions) => o.from === options.from && o.to === options.to && o.user === options.user && o.targetUser === options.targetUser
    && o.stateDir === options.stateDir && o.targetStateDir === options.targetStateDir && o.targetHome === options.targetHome && o.profile === options.profile
  const done = listJournals<MigrationState>().find((j) => j.data.status === 'completed' && j.data.options && same(j.data.options))
  if (!done) return undefined
  const present = await existingPaths(target, done.data.roots.map((r) => r.target))
  return done.data.roots.every((r) => present.has(r.target)) ? Journal.open<MigrationState>(done.runId) : undefined
}

function inspectOptions(options: MigrateOptions) {
  return {host: parseHostSpec(options.from), ...(options.user ? {user: options.user} : {}), ...(options.stateDir ? {stateDir: options.stateDir} : {}), ...(options.profile ? {profile: options.profile} : {})}
}

async function preflight(options: MigrateOptions, runId: string, source: Shell, target: Shell, ctx: Context) {
  const inventory = await inspectDeployment(inspectOptions(options), ctx)
  const warnings: string[] = []
  ctx.reporter.step(`Probing target ${target.label}`)
  const targetFacts = await probeHost(target, options.targetUser ?? inventory.user)
  const sourceFacts = await probeHost(source, undefined)
  for (const [shell, facts] of [[source, sourceFacts], [target, targetFacts]] as const) {
    for (const tool of ['tar', 'find', 'sha256sum']) {
      if (!facts.tools[tool]) throw new OcvmError('missing-tool', `\`${tool}\` is not installed on ${shell.label}`, {hint: `Install it on ${shell.label} (GNU coreutils/findutils/tar).`})
    }
  }
  const account = {user: targetFacts.user, group: targetFacts.group || targetFacts.user, home: options.targetHome ?? targetFacts.home}
  const layout = planLayout(inventory, account, options, runId)

  // OpenClaw refuses state written by a newer schema (openclaw.md §1d): the target must be the same or newer.
  const sourceVersion = inventory.version.config ?? inventory.version.cli
  const targetVersion = targetFacts.openclaw?.version
  if (sourceVersion && targetVersion && compareVersions(targetVersion, sourceVersion) < 0) {
    throw new OcvmError('target-too-old', `OpenClaw on ${target.label} is ${targetVersion}, older than the source's ${sourceVersion}`, {hint: `Upgrade OpenClaw on the target first (npm install -g openclaw@${sourceVersion} or newer).`})
  }
  if (!targetVersion) warnings.push(`OpenClaw is not installed on ${target.label} (for the login user): install ${sourceVersion ?? 'it'} or newer before starting the gateway there.`)
  if (inventory.gateway.running) warnings.push('the source gateway is running: it will be stopped before the final copy')
  if (options.sessions === 'scan') warnings.push('--sessions scan is not implemented yet: sessions are included as they are')
  if (options.sessions === 'exclude' && inventory.layout.generation === 'sqlite') warnings.push('--sessions exclude only drops JSONL session files; SQLite-era sessions live in the agent database and move with it')

  const existing = await existingPaths(target, layout.roots.map((r) => r.target))
  const blocked = layout.roots.filter((r) => existing.has(r.target))
  if (blocked.length > 0 && !options.force) {
    throw new OcvmError('target-exists', `${blocked.map((r) => r.target).join(', ')} already exist(s) on ${target.label}`, {hint: 'Migrate into a fresh target, or pass --force to keep the existing copy aside (renamed to *.ocvm-old-<run>).'})
  }
  const payload = inventory.components.filter((c) => c.treatment === 'transfer' || c.treatment === 'optional').reduce((n, c) => n + c.sizeBytes, 0)
  const free = await freeBytes(target, layout.targetStateDir)
  if (free !== undefined && free < requiredBytes(payload)) {
    throw new OcvmError('target-disk-full', `not enough free space on ${target.label}: ${Math.round(free / 1048576)} MiB free, ${Math.round(requiredBytes(payload) / 1048576)} MiB needed`, {hint: 'Free some space on the target (or choose another --target-state-dir) and run again.'})
  }

  const state: MigrationState = {
    version: 1,
    runId,
    createdAt: new Date().toISOString(),
    options,
    source: {host: source.label, user: inventory.user, home: inventory.home, stateDir: inventory.stateDir, configPath: inventory.configPath, configFiles: inventory.configFiles.map((f) => f.path), ...(sourceVersion ? {version: sourceVersion} : {}), layout: inventory.layout.generation, services: inventory.services.map((s) => ({kind: s.kind, name: s.name, path: s.path}))},
    target: {host: target.label, user: account.user, group: account.group, home: account.home, stateDir: layout.targetStateDir, ...(targetVersion ? {version: targetVersion} : {})},
    roots: layout.roots,
    mappings: layout.mappings,
    compress: Boolean(sourceFacts.tools.zstd && targetFacts.tools.zstd),
    steps: STEPS.map((name) => ({name, status: 'pending'} as StepRecord)),
    changes: [],
    committed: false,
    status: 'running',
  }
  return {state, inventory, warnings}
}

async function freeBytes(shell: Shell, dir: string): Promise<number | undefined> {
  // df on the nearest existing ancestor of the (maybe not yet existing) target dir.
  const result = await shell.script('d="$1"; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; df -Pk -- "$d" | tail -n 1', [dir], {allowFailure: true, timeoutMs: 30_000})
  const available = Number(result.stdout.trim().split(/\s+/)[3])
  return Number.isFinite(available) ? available * 1024 : undefined
}

/** The path changes a migration will make, computed on the source files (for the plan and --dry-run). */
async function previewRewrites(source: Shell, state: MigrationState, inventory: Inventory) {
  const map = new PathMap(state.mappings)
  const needles = state.mappings.filter((m) => m.from !== m.to).map((m) => m.from)
  if (needles.length === 0) return {changes: [], diffs: []}
  const files = await findFilesMentioning(source, state.roots.map((r) => r.source), needles)
  const configFiles = new Set(inventory.configFiles.map((f) => f.path))
  const rewriteList: RewriteFile[] = files.map((f) => ({readPath: f, finalPath: f, kind: classifyRewriteFile(f, state.source.stateDir, configFiles)}))
  const outcome = await rewriteFiles(source, rewriteList, map, false)
  return {changes: outcome.changes, diffs: outcome.diffs}
}

async function rewriteStaged(target: Shell, state: MigrationState) {
  const map = new PathMap(state.mappings)
  const needles = state.mappings.filter((m) => m.from !== m.to).map((m) => m.from)
  if (needles.length === 0) return {changes: [], diffs: [], skipped: []}
  const files = await findFilesMentioning(target, state.roots.map((r) => r.staging), needles)
  const stagedConfig = new Set<string>()
  const list: RewriteFile[] = files.map((staged) => {
    const root = state.roots.find((r) => staged === r.staging || staged.startsWith(`${r.staging}/`))
    const finalPath = root ? posix.join(root.target, posix.relative(root.staging, staged)) : staged
    const sourcePath = root ? posix.join(root.source, posix.relative(root.staging, staged)) : staged
    if (state.source.configFiles.includes(sourcePath)) stagedConfig.add(finalPath)
    return {readPath: staged, finalPath, kind: 'state-json'}
  })
  for (const f of list) f.kind = classifyRewriteFile(f.finalPath, state.target.stateDir, stagedConfig)
  return rewriteFiles(target, list, map, true)
}

function setStep(journal: Journal<MigrationState>, name: StepName, patch: Partial<StepRecord>): void {
  journal.update({steps: journal.data.steps.map((s) => (s.name === name ? {...s, ...patch} : s))})
}

async function onFailure(error: unknown, step: StepName, journal: Journal<MigrationState>, target: Shell): Promise<void> {
  const e = error instanceof OcvmError ? error : undefined
  setStep(journal, step, {status: 'failed', finishedAt: new Date().toISOString(), detail: e?.message ?? String(error)})
  journal.update({status: 'failed', error: {code: e?.code ?? 'error', message: e?.message ?? String(error)}})
  const beforeCommit = STEPS.indexOf(step) < STEPS.indexOf(COMMIT_STEP) || !journal.data.committed
  // A full disk cannot be resumed into: clean staging so the target is left as it was.
  if (beforeCommit && e && /No space left|target-disk-full/.test(`${e.message} ${e.code}`)) await removeStaging(target, journal.data.roots)
  if (e) {
    const resume = `ocvm migrate --resume ${journal.runId}`
    const rollback = `ocvm migrate --rollback ${journal.runId}`
    ;(e as {hint: string | undefined}).hint = `${e.hint ?? ''} Continue with \`${resume}\`, or go back to the running source with \`${rollback}\`.`.trim()
    e.details.runId = journal.runId
  }
}

/** Undo: start the source gateway again and take the activated copy off the target (kept aside, not deleted). */
export async function rollback(runId: string, ctx: Context): Promise<MigrationResult> {
  const journal = Journal.open<MigrationState>(runId)
  const state = journal.data
  const source = ctx.shells.get(parseHostSpec(state.options.from))
  const target = ctx.shells.get(parseHostSpec(state.options.to))
  await removeStaging(target, state.roots)
  for (const root of state.roots.filter((r) => r.activated)) {
    ctx.reporter.step(`Taking ${root.target} out of service on ${target.label}`)
    await target.script('[ -e "$1" ] && mv -- "$1" "$1.ocvm-rolledback-$2"; [ -e "$1.ocvm-old-$2" ] && mv -- "$1.ocvm-old-$2" "$1"; exit 0', [root.target, runId], {timeoutMs: 60_000})
  }
  const started = state.stop ? await startGateway(source, state.stop, state.source.stateDir) : 'nothing to start'
  journal.update({status: 'rolled-back', roots: state.roots.map((r) => ({...r, activated: false})), committed: false})
  return toResult(journal.data, {diffs: [], warnings: [], nextSteps: [`Source: ${started}.`, 'The target copy was renamed to *.ocvm-rolledback-<run> (delete it when you are sure).']})
}

function danglingOnTarget(inv: Inventory): string[] {
  return inv.findings.filter((f) => f.code === 'path-not-found').map((f) => `on the target, ${f.message}`)
}

function nextSteps(state: MigrationState, inv: Inventory): string[] {
  const steps = [
    `The source gateway ${describeStop(state.stop)} and its state is untouched; \`ocvm migrate --rollback ${state.runId}\` starts it again.`,
    `Recreate the service and secrets on the target (never copied): ${state.source.services.map((s) => s.name).join(', ') || 'no service file was found on the source'}.`,
    'Rebuild the memory index on the target: openclaw memory index --force (as the service user).',
  ]
  if (inv.components.some((c) => c.kind === 'extension-deps' || c.kind === 'extensions')) steps.push('Reinstall plugin dependencies: npm install in each extensions/<id> dir.')
  if (inv.components.some((c) => c.kind === 'signal' && c.present)) steps.push('Signal does not transfer: signal-cli link -n "OpenClaw" on the target and scan the QR code.')
  if (inv.components.some((c) => c.kind === 'googlechat' && c.present)) steps.push('Google Chat: update the webhook URL in the Chat app if the host name changed.')
  return steps
}

function toResult(state: MigrationState, extra: Pick<MigrationResult, 'diffs' | 'warnings' | 'nextSteps'>): MigrationResult {
  return {
    runId: state.runId,
    status: state.status === 'completed' || state.status === 'rolled-back' ? 'ok' : state.status === 'running' ? 'planned' : 'failed',
    dryRun: false,
    source: state.source,
    target: state.target,
    roots: state.roots.map(({label, source, target, bytes, files}) => ({label, source, target, bytes, files})),
    steps: state.steps,
    changes: state.changes,
    ...(state.transfer ? {transfer: state.transfer} : {}),
    ...extra,
  }
}
