import {existsSync, rmSync} from 'node:fs'

import {OcvmError} from '../errors.js'
import {settledInOrder} from '../hosts/in-order.js'
import type {Shell} from '../hosts/shell.js'
import type {Reporter} from '../output/reporter.js'
import {pathList, readRecords} from '../transfer/record-files.js'
import {streamTree} from '../transfer/stream.js'
import {compareTrees, listRecords, type TreeFiles} from '../transfer/tree-diff.js'
import {fetchTree} from '../transfer/tree-listing.js'
import {parseListRecord, showPath} from '../transfer/tree-records.js'
import {ensureParent} from '../deployment/commit.js'
import type {Journal} from '../pipeline/journal.js'
import {fixModes, planResend, removeExtras} from './resend-plan.js'
import {manifestFiles, scratchFiles} from './run-manifests.js'
import type {MigrationState, RootPlan} from './types.js'

export interface CopyContext {
  source: Shell
  target: Shell
  journal: Journal<MigrationState>
  reporter: Reporter
  signal?: AbortSignal
}

interface Figures {
  bytes: number
  files: number
  wireBytes: number
  resumedFiles: number
}

/**
 * Lists and checksums each root on the source (gateway stopped), then sends what the staging dir
 * on the target does not already hold intact: on a first run everything, on --resume or after a
 * warm pre-copy only the files that are missing or differ, and files the source no longer has are
 * removed from staging. Nothing that arrived intact is sent twice.
 *
 * A first run does not wait for the checksums: the source is hashed while the stream runs (the
 * gateway is stopped, so the files tar reads are the ones hashed; verify compares staging with
 * these checksums before anything is activated). Manifests go to files next to the journal as they
 * arrive and are compared as sorted streams, so memory does not grow with the number of files.
 *
 * `phase: 'precopy'` is the same pass with the gateway still running: files may change or vanish
 * while they are read, which is fine (the final pass, gateway stopped, re-checksums everything and
 * wins), so vanished files are not an error and the figures go to `journal.precopy`.
 */
export async function transferRoots(ctx: CopyContext, phase: 'final' | 'precopy' = 'final'): Promise<void> {
  const {journal} = ctx
  const started = Date.now()
  const total: Figures = {bytes: 0, files: 0, wireBytes: 0, resumedFiles: 0}
  const roots = journal.data.roots.map((r) => ({...r}))
  for (const root of roots) {
    const figures = await transferRoot(ctx, root, phase)
    root.bytes = figures.bytes
    root.files = figures.files
    journal.update({roots})
    for (const k of Object.keys(total) as Array<keyof Figures>) total[k] += figures[k]
  }
  const figures = {...total, seconds: (Date.now() - started) / 1000}
  journal.update(phase === 'precopy' ? {precopy: figures} : {transfer: figures})
}

async function transferRoot(ctx: CopyContext, root: RootPlan, phase: 'final' | 'precopy'): Promise<Figures> {
  const {journal, source} = ctx
  const live = phase === 'precopy'
  const sourceFiles = live ? scratchFiles(journal.dir, `precopy-${root.index}`, true) : {...manifestFiles(journal.dir, root.index), remove: () => {}}
  const staged = scratchFiles(journal.dir, `staged-${root.index}`, true)
  // The source's checksums are needed whatever staging holds: they start at once and run while the
  // rest goes on. Either side failing stops the other, so the run ends with the first error at once.
  const stopHashing = new AbortController()
  const stopWork = new AbortController()
  const hashing = fetchTree(source, root.source, sourceFiles.hashes, {kind: 'hash', exclude: root.exclude, live, signal: anySignal(ctx.signal, stopHashing.signal)})
    .catch((error: unknown) => {
      stopWork.abort(error)
      throw error
    })
  const work = copyRoot({...ctx, signal: anySignal(ctx.signal, stopWork.signal)}, root, {live, sourceFiles, staged, hashing})
    .catch((error: unknown) => {
      stopHashing.abort(error)
      throw error
    })
  try {
    const [done, hashed] = await Promise.allSettled([work, hashing])
    // The side that failed first is the cause; the other one only stopped because of it.
    if (hashed.status === 'rejected' && stopWork.signal.aborted) throw hashed.reason
    if (done.status === 'rejected') throw done.reason
    if (hashed.status === 'rejected') throw hashed.reason
    return done.value
  } finally {
    sourceFiles.remove()
    staged.remove()
  }
}

function anySignal(...signals: Array<AbortSignal | undefined>): AbortSignal {
  return AbortSignal.any(signals.filter((s): s is AbortSignal => s !== undefined))
}

/** Everything but the source's checksums (`hashing`): list, prepare staging, decide, send. */
async function copyRoot(ctx: CopyContext, root: RootPlan, io: {live: boolean; sourceFiles: TreeFiles; staged: TreeFiles; hashing: Promise<boolean>}): Promise<Figures> {
  const {journal, source, target} = ctx
  const {live, sourceFiles, staged} = io
  const signal = ctx.signal ? {signal: ctx.signal} : {}
  let files = 0
  let bytes = 0
  const count = (record: Buffer) => {
    const r = parseListRecord(record, true)
    if (r.type === 'f') {
      files++
      bytes += r.size
    }
  }
  const [found, staging] = await settledInOrder([
    fetchTree(source, root.source, sourceFiles.listing, {kind: 'list-mtime', exclude: root.exclude, live, onRecord: count, ...signal}),
    prepareStaging(ctx, root, staged),
    ensureParent(target, root.target, `${journal.data.target.user}:${journal.data.target.group}`),
  ] as const)
  if (!found) throw new OcvmError('source-missing', `${root.source} disappeared from ${source.label}`, {hint: 'The source changed during the migration; check it and run again.'})

  if (!staging.present) {
    // Nothing staged yet: send every entry (the source is checksummed meanwhile).
    ctx.reporter.step(`${root.label}: sending ${files} files (${bytes} bytes) to ${target.label}`)
    return {bytes, files, wireBytes: await send(ctx, root, listRecords(sourceFiles), (r) => r.path, bytes, live), resumedFiles: 0}
  }

  // Staging holds something: send only what is missing or differs. A copy just seeded from the
  // target is compared by size and mtime (it came from a verified run; verify checks every SHA-256
  // anyway). An earlier attempt or the pre-copy is compared by SHA-256: after a failed verify, the
  // resumed run must find the damaged files, whatever their mtime says.
  if (!staging.seeded) await settledInOrder([io.hashing, fetchTree(target, root.staging, staged.hashes, {kind: 'hash', ...signal})] as const)
  const plan = await planResend(journal.dir, root.index, sourceFiles, staged, {quick: staging.seeded})
  try {
    await removeExtras(target, root.staging, plan.extras)
    await fixModes(target, root.staging, plan.modes)
    let wireBytes = 0
    if (plan.paths === 0) {
      ctx.reporter.step(`${root.label}: already staged on the target, nothing to send`)
    } else {
      ctx.reporter.step(`${root.label}: sending ${plan.paths} entries (${plan.bytes} bytes) to ${target.label}, ${plan.intact} already there`)
      wireBytes = await send(ctx, root, readRecords(plan.todo), (p) => p, plan.bytes, live)
    }
    return {bytes, files, wireBytes, resumedFiles: plan.intact}
  } finally {
    for (const f of [plan.todo, plan.extras, ...plan.modes.values()]) rmSync(f, {force: true})
  }
}

async function send<T>(ctx: CopyContext, root: RootPlan, records: AsyncIterable<T>, pick: (r: T) => Buffer, totalBytes: number, live: boolean): Promise<number> {
  const progress = ctx.reporter.progress(root.label, totalBytes)
  const result = await streamTree({
    source: ctx.source, target: ctx.target, sourceRoot: root.source, targetDir: root.staging,
    paths: pathList(records, pick), compress: ctx.journal.data.compress, signal: ctx.signal, totalBytes, ...(live ? {live: true} : {}),
    onProgress: (bytes) => progress.update(bytes),
  })
  progress.done()
  return result.wireBytes
}

/** Re-checksums every staged file and compares with the source manifest; fixes nothing silently. */
export async function verifyRoots(ctx: CopyContext): Promise<void> {
  for (const root of ctx.journal.data.roots) {
    const expected = manifestFiles(ctx.journal.dir, root.index)
    if (!existsSync(expected.listing) || !existsSync(expected.hashes)) {
      throw new OcvmError('journal-corrupt', `${expected.listing} is missing`, {hint: 'The run cannot continue from this journal: roll it back (--rollback) and start a new migration.'})
    }
    const staged = scratchFiles(ctx.journal.dir, `staged-${root.index}`, false)
    try {
      const signal = ctx.signal ? {signal: ctx.signal} : {}
      const [found] = await settledInOrder([
        fetchTree(ctx.target, root.staging, staged.listing, {kind: 'list', ...signal}),
        fetchTree(ctx.target, root.staging, staged.hashes, {kind: 'hash', ...signal}),
      ] as const)
      if (!found) throw new OcvmError('verify-failed', `staging dir ${root.staging} is missing on ${ctx.target.label}`, {hint: 'Run the migration again with --resume.'})
      const diff = {missing: 0, mismatched: 0, extra: 0, files: 0, sample: [] as string[]}
      for await (const v of compareTrees(expected, staged)) {
        if (v.verdict === 'same') {
          if (v.expected?.type === 'f') diff.files++
          continue
        }
        const key = v.verdict === 'differs' ? 'mismatched' : v.verdict
        diff[key]++
        if (diff.sample.length < 3) diff.sample.push(`${v.verdict === 'differs' ? 'differs' : v.verdict === 'extra' ? 'unexpected' : 'missing'} ${showPath(v.path)}`)
      }
      if (diff.missing + diff.mismatched + diff.extra > 0) {
        throw new OcvmError('verify-failed', `${root.label}: ${diff.missing} missing, ${diff.mismatched} corrupted, ${diff.extra} unexpected entries in staging on ${ctx.target.label} (${diff.sample.join('; ')})`, {
          hint: 'Nothing was activated. Run again with --resume: damaged files are sent again and checked.',
          details: {missing: diff.missing, mismatched: diff.mismatched, extra: diff.extra},
        })
      }
      ctx.reporter.step(`${root.label}: ${diff.files} files verified (SHA-256) in staging`)
    } finally {
      staged.remove()
    }
  }
}

/**
 * Lists what staging already holds (with mtimes). A --force run over a copy already at the target
 * starts staging as a local copy of it (cloned where the filesystem can), in the same round trip:
 * only what differs from the source then travels.
 */
async function prepareStaging(ctx: CopyContext, root: RootPlan, staged: TreeFiles): Promise<{present: boolean; seeded: boolean}> {
  let seeded = false
  const seed = ctx.journal.data.options.force && !root.activated ? {seedFrom: root.target} : {}
  const present = await fetchTree(ctx.target, root.staging, staged.listing, {
    kind: 'list-mtime', ...seed, ...(ctx.signal ? {signal: ctx.signal} : {}),
    onSeeded: () => {
      seeded = true
      ctx.reporter.step(`${root.label}: staging starts from the copy already at ${root.target}; only what differs is sent`)
    },
  })
  return {present, seeded}
}
