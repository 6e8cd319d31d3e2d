import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import type {Reporter} from '../output/reporter.js'
import {buildManifest, diffManifests, isClean, type Manifest} from '../transfer/manifest.js'
import {streamTree} from '../transfer/stream.js'
import {ensureParent} from './commit.js'
import type {Journal} from './journal.js'
import type {MigrationState, RootPlan} from './types.js'

export interface CopyContext {
  source: Shell
  target: Shell
  journal: Journal<MigrationState>
  reporter: Reporter
  signal?: AbortSignal
}

const manifestName = (root: RootPlan) => `manifest-${root.index}.json`

/**
 * Lists and checksums each root on the source (gateway stopped), then sends what the staging dir
 * on the target does not already hold intact: on a first run everything, on --resume only the
 * files that are missing or differ. Nothing that arrived intact is sent twice.
 */
export async function transferRoots(ctx: CopyContext): Promise<void> {
  const {journal} = ctx
  const started = Date.now()
  let bytes = 0
  let files = 0
  let wireBytes = 0
  let resumedFiles = 0
  const roots = journal.data.roots.map((r) => ({...r}))
  for (const root of roots) {
    const manifest = await sourceManifest(ctx, root)
    root.bytes = manifest.bytes
    root.files = manifest.files
    journal.update({roots})

    await ensureParent(ctx.target, root.target, `${journal.data.target.user}:${journal.data.target.group}`)
    const staged = await buildManifest(ctx.target, root.staging)
    if (staged) await removeExtras(ctx.target, root.staging, diffManifests(manifest, staged).extra.map((e) => e.path))
    const todo = staged ? pendingPaths(manifest, staged) : manifest.entries.map((e) => e.path)
    resumedFiles += manifest.entries.length - todo.length
    const todoBytes = sumBytes(manifest, todo)
    if (todo.length === 0) {
      ctx.reporter.step(`${root.label}: already staged on the target, nothing to send`)
    } else {
      ctx.reporter.step(`${root.label}: sending ${todo.length} entries (${manifest.files} files) to ${ctx.target.label}`)
      const progress = ctx.reporter.progress(`${root.label}`, todoBytes)
      const result = await streamTree({
        source: ctx.source, target: ctx.target, sourceRoot: root.source, targetDir: root.staging,
        paths: todo, compress: journal.data.compress, signal: ctx.signal, totalBytes: todoBytes,
        onProgress: (p) => progress.update(p.bytes),
      })
      progress.done()
      wireBytes += result.wireBytes
    }
    bytes += manifest.bytes
    files += manifest.files
  }
  journal.update({transfer: {bytes, files, wireBytes, seconds: (Date.now() - started) / 1000, resumedFiles}})
}

/** Re-checksums every staged file and compares with the source manifest; fixes nothing silently. */
export async function verifyRoots(ctx: CopyContext): Promise<void> {
  for (const root of ctx.journal.data.roots) {
    const expected = ctx.journal.readArtifact<Manifest>(manifestName(root))
    const staged = await buildManifest(ctx.target, root.staging)
    if (!staged) throw new OcvmError('verify-failed', `staging dir ${root.staging} is missing on ${ctx.target.label}`, {hint: 'Run the migration again with --resume.'})
    const diff = diffManifests(expected, staged)
    if (!isClean(diff)) {
      const sample = [...diff.missing.map((e) => `missing ${e.path}`), ...diff.mismatched.map((m) => `differs ${m.expected.path}`), ...diff.extra.map((e) => `unexpected ${e.path}`)]
      throw new OcvmError('verify-failed', `${root.label}: ${diff.missing.length} missing, ${diff.mismatched.length} corrupted, ${diff.extra.length} unexpected entries in staging on ${ctx.target.label} (${sample.slice(0, 3).join('; ')})`, {
        hint: 'Nothing was activated. Run again with --resume: damaged files are sent again and checked.',
        details: {missing: diff.missing.length, mismatched: diff.mismatched.length, extra: diff.extra.length},
      })
    }
    ctx.reporter.step(`${root.label}: ${expected.files} files verified (SHA-256) in staging`)
  }
}

async function sourceManifest(ctx: CopyContext, root: RootPlan): Promise<Manifest> {
  const manifest = await buildManifest(ctx.source, root.source, root.exclude)
  if (!manifest) throw new OcvmError('source-missing', `${root.source} disappeared from ${ctx.source.label}`, {hint: 'The source changed during the migration; check it and run again.'})
  ctx.journal.writeArtifact(manifestName(root), manifest)
  return manifest
}

/** Entries missing from staging or different there (dirs are always re-sent: cheap, and restores their modes). */
function pendingPaths(expected: Manifest, staged: Manifest): string[] {
  const diff = diffManifests(expected, staged)
  const redo = new Set([...diff.missing, ...diff.mismatched.map((m) => m.expected)].map((e) => e.path))
  return expected.entries.filter((e) => redo.has(e.path) || e.type === 'dir').map((e) => e.path)
}

/** On resume, files the source no longer has must not survive in staging. Paths are relative, inside staging. */
async function removeExtras(target: Shell, staging: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return
  await target.script('cd -- "$1" && shift && rm -rf -- "$@"', [staging, ...paths.map((p) => `./${p}`)], {timeoutMs: 10 * 60_000})
}

function sumBytes(manifest: Manifest, paths: readonly string[]): number {
  const want = new Set(paths)
  return manifest.entries.reduce((n, e) => (want.has(e.path) ? n + e.size : n), 0)
}
