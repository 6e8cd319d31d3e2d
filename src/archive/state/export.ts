import {createHash} from 'node:crypto'
import {createWriteStream, existsSync, type WriteStream} from 'node:fs'
import {open, rename, rm, writeFile} from 'node:fs/promises'
import {basename, dirname, resolve} from 'node:path'
import {PassThrough, Writable} from 'node:stream'

import type {Context} from '../../context.js'
import type {StateDriver} from '../../drivers/api.js'
import {probeHost} from '../../deployment/host-facts.js'
import {inspectDeployment} from '../../deployment/inspect.js'
import type {Inventory} from '../../deployment/types.js'
import {OcvmError, UsageError} from '../../errors.js'
import {type HostSpec} from '../../hosts/host-spec.js'
import type {Shell} from '../../hosts/shell.js'
import {describeStop, pauseGateway, startGateway} from '../../deployment/gateway-control.js'
import {initialSteps, STATE_EXPORT_STEPS, type StateExportStep} from '../../pipeline/archive-steps.js'
import {newRunId} from '../../pipeline/journal.js'
import {memoryLog} from '../../pipeline/run-log.js'
import {runPlan, type RunRecord} from '../../pipeline/runner.js'
import {planLayout} from '../../migrate/plan-layout.js'
import {requireTools} from '../../migrate/preflight.js'
import type {GatewayStop, RootPlan} from '../../migrate/types.js'
import type {ManifestEntry} from '../../transfer/manifest.js'
import {ARCHIVE_FORMAT_VERSION, META_NAME, type OcvmArchiveMeta, rootPrefix} from './format.js'
import {TAR_END, tarFileMember, TarReader, TarFormatError} from './tar.js'
import {ArchiveRefusal, EntryValidator} from './validate.js'

export interface ExportOptions {
  /** The state mover that reaches the deployment (`file`: the host itself). */
  driver: StateDriver
  from: HostSpec
  user?: string
  stateDir?: string
  profile?: string
  out: string
  sessions: 'include' | 'exclude'
  /** Stop the source gateway for the copy (default); false copies it live. */
  quiesce: boolean
  /** Start the gateway again once the archive is written (a backup rather than a move). */
  restart: boolean
  dryRun: boolean
}

export interface ExportResult {
  status: 'ok' | 'planned'
  dryRun: boolean
  file: string
  sha256?: string
  /** Size of the archive file. */
  bytes?: number
  /** Sum of the file sizes inside it. */
  unpackedBytes?: number
  files?: number
  compression: 'zstd' | 'none'
  seconds?: number
  source: {host: string; user: string; home: string; stateDir: string; version?: string; layout: string}
  roots: Array<{label: string; source: string; files?: number; bytes?: number}>
  gateway: string
  warnings: string[]
  nextSteps: string[]
}

// Packs one root on the source: the whole tree minus the excluded patterns and special files (fifos,
// sockets, devices: never part of a deployment, and import would refuse them), names prefixed with
// roots/<i>. -b 1 makes tar's end-of-archive exactly 1024 zero bytes, which head strips so the roots
// and ocvm's own members form one tar stream. tar's exit status travels on stderr.
const PACK_SCRIPT = String.raw`
root="$1"; z="$2"; cp="$3"; prefix="$4"; shift 4
cd -- "$root" || exit 3
for p in "$@"; do set -- "$@" --exclude="$p"; shift; done
t=$(mktemp) || exit 4
find . \( -type p -o -type s -o -type b -o -type c \) -print 2>/dev/null > "$t"
while IFS= read -r p; do echo "OCVM-SKIP:$p" >&2; set -- "$@" --exclude="$p"; done < "$t"
rm -f "$t"
{ tar -b 1 -cf - --anchored --no-wildcards-match-slash "$@" --transform="s,^\.,$prefix,S" --checkpoint="$cp" --checkpoint-action='echo=OCVM-PROGRESS:%{w}T' . ; echo "OCVM-TAR-EXIT:$?" >&2; } | head -c -1024 | if [ "$z" = 1 ]; then zstd -3 -q -T0; else cat; fi
`
const CHECKPOINT_RECORDS = 2048

/**
 * `ocvm export`: one archive file on this machine holding the source's state dir and workspaces,
 * plus ocvm-archive.json (format version, source user/home/dirs, the SHA-256 manifest of every file
 * and the inventory summary). Written to a temp file and renamed when complete; the archive's own
 * SHA-256 is printed and written next to it (FILE.sha256).
 */
export async function exportArchive(options: ExportOptions, ctx: Context): Promise<ExportResult> {
  const out = resolve(options.out)
  if (existsSync(out)) throw new UsageError(`${out} already exists`, 'ocvm never overwrites an archive: choose another --out, or move the old one away.')
  if (!existsSync(dirname(out))) throw new UsageError(`${dirname(out)} does not exist`, 'Create the directory first (for a USB disk: mount it).')

  const source = await options.driver.stateShell(options.from, ctx)
  const inventory = await inspectDeployment({host: source.host, ...(options.user ? {user: options.user} : {}), ...(options.stateDir ? {stateDir: options.stateDir} : {}), ...(options.profile ? {profile: options.profile} : {})}, ctx)
  const facts = await probeHost(source, undefined)
  requireTools(source, facts, ['tar', 'find'])
  const {roots} = planLayout(inventory, {user: inventory.user, group: inventory.user, home: inventory.home}, {sessions: options.sessions}, newRunId())
  const compress = Boolean(facts.tools.zstd) && (await localZstd(ctx))
  const warnings: string[] = []
  if (!options.quiesce) warnings.push('--no-quiesce: the gateway keeps running and its SQLite files are copied live; they may be torn (the archive records this)')
  if (!compress) warnings.push(`zstd is missing ${facts.tools.zstd ? 'on this machine' : `on ${source.label}`}: the archive is an uncompressed tar`)
  const version = inventory.version.config ?? inventory.version.cli
  const result: ExportResult = {
    status: 'planned', dryRun: options.dryRun, file: out, compression: compress ? 'zstd' : 'none',
    source: {host: source.label, user: inventory.user, home: inventory.home, stateDir: inventory.stateDir, ...(version ? {version} : {}), layout: inventory.layout.generation},
    roots: roots.map((r) => ({label: r.label, source: r.source})),
    gateway: inventory.gateway.running ? (options.quiesce ? 'running: it will be stopped for the copy' : 'running: it keeps running (--no-quiesce)') : 'not running',
    warnings, nextSteps: [],
  }
  if (options.dryRun) return {...result, nextSteps: ['Nothing was changed. Run the same command without --dry-run to write the archive.']}

  type Run = RunRecord<StateExportStep> & {stop: GatewayStop; written?: Written; restarted?: string}
  const skipped = new Set<StateExportStep>([...(options.quiesce ? [] : ['quiesce' as const]), ...(options.restart ? [] : ['restart' as const])])
  const log = memoryLog<Run>({steps: initialSteps(Object.keys(STATE_EXPORT_STEPS) as StateExportStep[], skipped), committed: false, status: 'running', stop: {kind: 'none'}})
  const started = Date.now()
  await runPlan<StateExportStep, Run>(log, {
    actions: {
      quiesce: async () => {
        const stop = await pauseGateway(source, inventory.user, inventory.services, facts, inventory.profile)
        log.update({stop})
        return `source gateway ${describeStop(stop, false)}`
      },
      pack: async () => {
        const written = await writeArchive({out, source, roots, compress, inventory, quiesced: options.quiesce, sessions: options.sessions, ctx})
        log.update({written})
        return `${written.summary.files} files in ${out}`
      },
      restart: async () => {
        const {stop} = log.data
        if (stop.kind === 'none') return 'nothing was stopped'
        const restarted = await startGateway(source, stop, inventory.stateDir)
        log.update({restarted})
        return restarted
      },
    },
    describe: (name) => STATE_EXPORT_STEPS[name],
    // The archive is written under a temp name and renamed: there is nothing staged to remove.
    commitPoint: 'pack',
    removeStaging: async () => {},
    onCancel: async () => {
      const {stop} = log.data
      return stop.kind === 'none' ? '' : `source gateway: ${await startGateway(source, stop, inventory.stateDir)}`
    },
    ...(ctx.signal ? {signal: ctx.signal} : {}),
  }, ctx.reporter)
  const {stop} = log.data
  const written = log.data.written as Written
  warnings.push(...written.warnings)
  const gateway = log.data.restarted ?? describeStop(stop, false)
  return {
    ...result, status: 'ok', ...written.summary, seconds: (Date.now() - started) / 1000,
    roots: written.roots, gateway,
    nextSteps: [
      `Check the copy where you import it: sha256sum ${basename(out)} must print ${written.summary.sha256} (also in ${basename(out)}.sha256).`,
      `Import it: ocvm import --to HOST [--target-user U] ${basename(out)} (add --dry-run first to see the plan and path rewrites).`,
      ...(stop.kind !== 'none' && !options.restart ? ['The source gateway stays stopped (the archive is meant to move it); start it again by hand if you keep using it here.'] : []),
    ],
  }
}

interface WriteInput {
  out: string
  source: Shell
  roots: RootPlan[]
  compress: boolean
  inventory: Inventory
  quiesced: boolean
  sessions: 'include' | 'exclude'
  ctx: Context
}

type Written = Awaited<ReturnType<typeof writeArchive>>

async function writeArchive(input: WriteInput) {
  const {out, source, roots, compress, ctx} = input
  const temp = `${out}.ocvm-partial-${process.pid}`
  // 'wx' + 0600: never clobbers, never readable by others (the archive holds credentials).
  const file = createWriteStream(temp, {flags: 'wx', mode: 0o600})
  const hash = createHash('sha256')
  let archiveBytes = 0
  const warnings: string[] = []

  // What goes through is read back as it is written: every entry is validated with the rules import
  // applies, and every file is checksummed from the archived bytes themselves.
  const validator = new EntryValidator({maxTotalBytes: Number.MAX_SAFE_INTEGER})
  const entries = new Map<number, ManifestEntry[]>(roots.map((r) => [r.index, []]))
  let current: {index: number; rel: string; entry: ManifestEntry} | undefined
  const reader = new TarReader({
    onEntry(entry) {
      const rel = validator.check(entry)
      const m = /^roots\/(\d+)(?:\/(.*))?$/.exec(rel)
      current = undefined
      if (!m || m[2] === undefined) return
      const type = entry.type === 'hardlink' ? 'file' : entry.type === 'file' || entry.type === 'dir' || entry.type === 'symlink' ? entry.type : 'other'
      current = {index: Number(m[1]), rel: m[2], entry: {path: m[2], type, mode: entry.mode, size: type === 'file' ? entry.size : 0, ...(type === 'symlink' ? {linkTarget: entry.linkName} : {})}}
      if (entry.type === 'hardlink') current.entry.sha256 = `hardlink:${entry.linkName}`
      entries.get(current.index)?.push(current.entry)
    },
    onEntryEnd(_entry, r) {
      if (current && r.sha256 && current.entry.type === 'file' && !current.entry.sha256) current.entry.sha256 = r.sha256
    },
  })
  const decompressed = new Writable({
    write(chunk: Buffer, _e, callback) {
      try {
        reader.push(chunk)
        callback()
      } catch (error) {
        callback(error as Error)
      }
    },
  })
  const zin = new PassThrough()
  const unpacking = compress ? ctx.runner.run('zstd', ['-dcq'], {stdin: zin, stdout: decompressed, allowFailure: true}) : undefined
  const readBack: Writable = compress ? zin : decompressed
  const sink = new Writable({
    write(chunk: Buffer, _e, callback) {
      hash.update(chunk)
      archiveBytes += chunk.length
      Promise.all([writeTo(file, chunk), writeTo(readBack, chunk)]).then(() => callback(), callback)
    },
  })
  const append = async (bytes: Buffer, toReader: boolean) => {
    hash.update(bytes)
    archiveBytes += bytes.length
    await writeTo(file, bytes)
    if (toReader) await writeTo(readBack, bytes)
  }

  try {
    const total = input.inventory.components.filter((c) => c.treatment === 'transfer' || c.treatment === 'optional').reduce((n, c) => n + c.sizeBytes, 0)
    const progress = ctx.reporter.progress(basename(out), total)
    let before = 0
    for (const root of roots) {
      ctx.reporter.step(`${root.label}: packing ${root.source} from ${source.label}`)
      let tarExit = -1
      let sent = 0
      // plugin-skills/ is a generated index of (absolute) symlinks, rebuilt by OpenClaw; openclaw backup omits it too.
      const exclude = root.kind === 'state' ? [...root.exclude, './plugin-skills'] : root.exclude
      const r = await source.script(PACK_SCRIPT, [root.source, compress ? '1' : '0', String(CHECKPOINT_RECORDS), rootPrefix(root.index), ...exclude], {
        stdout: sink, allowFailure: true, timeoutMs: 24 * 3600_000, ...(ctx.signal ? {signal: ctx.signal} : {}),
        onStderrLine(line) {
          const p = /OCVM-PROGRESS:(\d+)/.exec(line)
          if (p?.[1]) progress.update(before + (sent = Number(p[1])))
          const x = /OCVM-TAR-EXIT:(\d+)/.exec(line)
          if (x?.[1]) tarExit = Number(x[1])
          const s = /OCVM-SKIP:(.*)/.exec(line)
          if (s?.[1]) warnings.push(`${root.label}: skipped special file ${s[1]} (fifo, socket or device)`)
        },
      })
      before += sent
      const tarErrors = r.stderr.split('\n').filter((l) => l && !/^OCVM-/.test(l) && !/socket ignored/.test(l))
      if (r.exitCode === 3) throw new OcvmError('source-missing', `${root.source} disappeared from ${source.label}`, {hint: 'The source changed during the export; check it and run again.'})
      // tar exits 1 when a file changed while it was read: expected with --no-quiesce, a failure otherwise.
      if (r.exitCode !== 0 || tarExit > 1 || (tarExit === 1 && input.quiesced)) {
        throw new OcvmError('export-failed', `packing ${root.source} on ${source.label} failed: ${tarErrors.pop() ?? `exit ${r.exitCode}/${tarExit}`}`, {hint: 'Nothing was written at --out. Check the source (readable by the ssh user? changing under a running gateway?) and run again.'})
      }
      if (tarExit === 1) warnings.push(`${root.label}: files changed while they were read (live copy): ${tarErrors.slice(-3).join('; ')}`)
    }
    progress.done()
    // The sink may still be working through the last chunks the source sent: let it finish, then let
    // the read-back catch up, before the manifest is taken from it (ending the read-back first lost
    // the tail now and then: zstd "premature end").
    await endStream(sink)
    await endStream(readBack)
    if (unpacking) {
      const u = await unpacking
      if (u.exitCode !== 0) throw new TarFormatError(`reading the archive back failed: ${u.stderr.trim()}`)
    }
    reader.end()

    const metaRoots = roots.map((r) => {
      const list = (entries.get(r.index) ?? []).map((e) => fixHardlink(e, entries.get(r.index) ?? []))
      const files = list.filter((e) => e.type === 'file')
      return {index: r.index, kind: r.kind, label: r.label, source: r.source, bytes: files.reduce((n, e) => n + e.size, 0), files: files.length, manifest: list}
    })
    const meta: OcvmArchiveMeta = {
      format: 'ocvm-archive', version: ARCHIVE_FORMAT_VERSION, createdAt: new Date().toISOString(),
      source: {host: source.label, user: input.inventory.user, home: input.inventory.home, stateDir: input.inventory.stateDir, configPath: input.inventory.configPath, configFiles: input.inventory.configFiles.map((f) => f.path), ...(input.inventory.version.config ?? input.inventory.version.cli ? {version: (input.inventory.version.config ?? input.inventory.version.cli) as string} : {}), layout: input.inventory.layout.generation},
      quiesced: input.quiesced, sessions: input.sessions, roots: metaRoots,
      inventory: {
        agents: input.inventory.agents.map((a) => a.id),
        components: input.inventory.components.map((c) => ({kind: c.kind, bytes: c.sizeBytes, treatment: c.treatment})),
        findings: input.inventory.findings.map((f) => ({code: f.code, message: f.message})),
      },
    }
    // ocvm's own member and the end-of-archive marker come last, once the manifest is known.
    const tail = Buffer.concat([tarFileMember(META_NAME, Buffer.from(JSON.stringify(meta))), TAR_END])
    await append(compress ? await zstdCompress(ctx, tail) : tail, false)
    await closeStream(file)
    const handle = await open(temp, 'r+')
    await handle.sync()
    await handle.close()
    await rename(temp, out)
    const sha256 = hash.digest('hex')
    await writeFile(`${out}.sha256`, `${sha256}  ${basename(out)}\n`, {mode: 0o644})
    ctx.reporter.step(`Wrote ${out}: ${archiveBytes} bytes, SHA-256 ${sha256}`)
    return {
      warnings,
      roots: metaRoots.map((r) => ({label: r.label, source: r.source, files: r.files, bytes: r.bytes})),
      summary: {file: out, sha256, bytes: archiveBytes, unpackedBytes: metaRoots.reduce((n, r) => n + r.bytes, 0), files: metaRoots.reduce((n, r) => n + r.files, 0)},
    }
  } catch (error) {
    file.destroy()
    zin.destroy()
    await rm(temp, {force: true})
    if (error instanceof ArchiveRefusal) {
      throw new OcvmError('export-refused', `the source holds ${error.message}; ocvm import would refuse that archive`, {hint: 'Replace it with a relative symlink inside the state dir (or remove it), then export again. Nothing was written at --out.'})
    }
    throw error
  }
}

/** A hard link unpacks as a regular file with its target's content: record it that way. */
function fixHardlink(e: ManifestEntry, all: readonly ManifestEntry[]): ManifestEntry {
  if (!e.sha256?.startsWith('hardlink:')) return e
  const targetRel = e.sha256.slice('hardlink:'.length).replace(/^roots\/\d+\//, '')
  const target = all.find((x) => x.path === targetRel)
  return {...e, size: target?.size ?? 0, ...(target?.sha256 ? {sha256: target.sha256} : {})}
}

async function localZstd(ctx: Context): Promise<boolean> {
  try {
    return (await ctx.runner.run('zstd', ['--version'], {allowFailure: true, timeoutMs: 10_000})).exitCode === 0
  } catch {
    return false
  }
}

async function zstdCompress(ctx: Context, bytes: Buffer): Promise<Buffer> {
  const r = await ctx.runner.run('zstd', ['-3', '-q', '-c'], {input: bytes, binary: true, timeoutMs: 60_000})
  return Buffer.from(r.stdoutBytes ?? new Uint8Array())
}

function writeTo(stream: Writable | WriteStream, chunk: Buffer): Promise<void> {
  return new Promise((res, rej) => {
    const ok = stream.write(chunk, (error) => {
      if (error) rej(error)
    })
    if (ok) res()
    else stream.once('drain', () => res())
  })
}

function endStream(stream: Writable): Promise<void> {
  return new Promise((res, rej) => {
    stream.once('error', rej)
    stream.end(() => res())
  })
}

function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((res, rej) => stream.end((error?: Error | null) => (error ? rej(error) : res())))
}
