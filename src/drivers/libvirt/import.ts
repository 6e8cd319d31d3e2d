import path from 'node:path'
import {z} from 'zod'

import type {Context} from '../../context.js'
import {BugError, OcvmError, UnsupportedError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {execAll, RUN_FIRST_FN} from '../../hosts/batch.js'
import type {Shell} from '../../hosts/shell.js'
import type {ImportCheck, ImportPlacement, ImportRequest, VmSummary} from '../api.js'
import {domainExists, domainExistsError, domainState, fileBackedPool, poolTargetPath, requirePool, runVirsh, tryVirsh} from './domain.js'
import {parseDomainXml, rewriteDomainXml} from './domain-xml.js'
import {backingVolumeName, ExportMeta, targetVolumeName, uniqueVolumes} from './export.js'
import {parseLibvirtOptions, targetLocalUri} from './options.js'
import {isNotFound, parseDominfo, parsePoolState} from './parse.js'
import * as v from './virsh.js'

/**
 * `importVm` and its preflight `checkImport`: sparse volumes in the target pool holding the verified
 * images (each chain layer its own volume, overlays relinked to their layer's new path), the
 * rewritten XML, `define`. Nothing is created until every check passed; a failure deletes the
 * volumes this import created and nothing else. An import cut short (ocvm killed, a host gone) is
 * undone by the next attempt and by --rollback (`abandonImport`), from a ledger kept in staging.
 */

// One round trip per volume: the ledger line (BEFORE the volume exists), vol-create-as (its argv
// is the first $4 words after the ledger line $5), then vol-path (the rest); with $3=1 the staged
// image $2 then becomes the volume file: linked when both are on one filesystem (staging is removed
// after the import, so the volume is then its only name), copied sparse otherwise. The fresh volume
// is removed before the link: a link renamed over it (ln -f) makes ext4 write the whole image out
// first (auto_da_alloc), 0.7 s per 2 GiB here. Each stage says on stdout that it is done, so a
// failure leaves no doubt about what exists.
const CREATE_SCRIPT = String.raw`
ledger="$1"; staged="$2"; place="$3"; n="$4"; line="$5"; shift 5
${RUN_FIRST_FN}
printf '%s\n' "$line" >>"$ledger" || exit 3
run_first "$n" "$@" >/dev/null || exit 4
echo OCVM-CREATED
shift "$n"
p=$("$@") || exit 5
printf 'OCVM-PATH:%s\n' "$p"
[ "$place" = 1 ] || exit 0
{ rm -f -- "$p" && ln -- "$staged" "$p"; } 2>/dev/null || cp --sparse=always --reflink=auto -- "$staged" "$p" || exit 6
echo OCVM-PLACED
`

// The placed volumes' new allocation made known to libvirt, the ledger line (BEFORE the domain
// exists), `define` from a private temp file (the XML comes on stdin, never in argv), then its
// dominfo: one round trip. Exit 6: defined, but dominfo failed (asked again on its own).
const DEFINE_SCRIPT = String.raw`
uri="$1"; pool="$2"; ledger="$3"; line="$4"; name="$5"
virsh -c "$uri" pool-refresh --pool "$pool" >/dev/null || exit 4
t=$(mktemp) || exit 3
trap 'rm -f "$t"' EXIT
cat >"$t" || exit 3
printf '%s\n' "$line" >>"$ledger" || exit 3
virsh -c "$uri" define --file "$t" >/dev/null || exit 5
virsh -c "$uri" dominfo --domain "$name" || exit 6
`

// What an import created, one JSON line per volume or definition, appended in the (per-run, 0700)
// staging dir BEFORE it is created: after a crash mid-import, the next attempt and --rollback know
// exactly what to take away, and nothing else.
const LEDGER = '.ocvm-libvirt-import'
const LedgerLine = z.union([z.object({pool: z.string(), volume: z.string()}), z.object({define: z.string()})])
type LedgerLine = z.infer<typeof LedgerLine>

async function ledgerRead(shell: Shell, stagingDir: string): Promise<LedgerLine[]> {
  const out = (await shell.script('cat -- "$1" 2>/dev/null; true', [path.posix.join(stagingDir, LEDGER)], {timeoutMs: v.TIMEOUTS.query})).stdout
  // A line cut short by a crash names nothing that was created yet: skip it.
  return out.split('\n').flatMap((l) => {
    try {
      const parsed = LedgerLine.safeParse(JSON.parse(l))
      return parsed.success ? [parsed.data] : []
    } catch {
      return []
    }
  })
}

async function ledgerRemove(shell: Shell, stagingDir: string): Promise<void> {
  await shell.exec(['rm', '-f', '--', path.posix.join(stagingDir, LEDGER)], {allowFailure: true, timeoutMs: v.TIMEOUTS.query})
}

/**
 * Undoes an import of this staging dir that did not finish (ocvm killed, a host gone): the domain it
 * defined, if it is still ours (its metadata names only volumes of the ledger), then its volumes.
 */
export async function abandonImport(host: HostSpec, request: Pick<ImportRequest, 'stagingDir' | 'options'>, ctx: Context, uri: string, ledger?: LedgerLine[]): Promise<void> {
  const shell = ctx.shells.get(host)
  const localUri = targetLocalUri(parseLibvirtOptions(request.options).targetConnect, uri)
  const lines = ledger ?? (await ledgerRead(shell, request.stagingDir))
  if (lines.length === 0) return
  const volumes = lines.flatMap((l) => ('volume' in l ? [l] : []))
  const ours = (vol: {pool: string; volume: string}) => volumes.some((x) => x.pool === vol.pool && x.volume === vol.volume)
  for (const l of lines) {
    if (!('define' in l) || !(await domainExists(shell, localUri, l.define))) continue
    const dom = parseDomainXml((await runVirsh(shell, v.dumpxmlInactive(localUri, l.define))).stdout)
    if (dom.importedVolumes.length === 0 || !dom.importedVolumes.every(ours)) continue
    ctx.reporter.step(`Removing ${l.define}, defined by an import that did not finish`)
    if ((await domainState(shell, localUri, l.define)).state !== 'stopped') await tryVirsh(shell, v.destroy(localUri, l.define), v.TIMEOUTS.lifecycle)
    await runVirsh(shell, v.undefine(localUri, l.define), v.TIMEOUTS.lifecycle)
  }
  for (const vol of volumes) {
    if ((await tryVirsh(shell, v.volDelete(localUri, vol.pool, vol.volume))).exitCode === 0) ctx.reporter.step(`Removed ${vol.pool}/${vol.volume}, left by an import that did not finish`)
  }
  await ledgerRemove(shell, request.stagingDir)
}

function volumeExists(volume: string, pool: string, shell: Shell): OcvmError {
  return new OcvmError('volume-exists', `volume "${volume}" already exists in pool ${pool} on ${shell.label}; ocvm never overwrites one`, {
    hint: 'Rename the VM with --target-name (its volumes get new names), or remove the stale volume (virsh vol-delete).',
    details: {pool, volume, host: shell.label},
  })
}

function defineFailed(name: string, shell: Shell, exitCode: number, stderr: string): OcvmError {
  const stage = ({3: 'recording it in the staging dir', 4: 'pool-refresh', 5: 'define'} as Record<number, string>)[exitCode] ?? `exit ${exitCode}`
  const last = stderr.trim().split('\n').pop() ?? ''
  return new OcvmError('import-failed', `defining ${name} on ${shell.label} failed (${stage})${last ? `: ${last}` : ''}`, {
    hint: 'The volumes this import created are removed; staging is kept. Fix the cause and run again with --resume.',
    details: {vm: name, host: shell.label},
  })
}

function placeFailed(volume: string, pool: string, shell: Shell, exitCode: number, stderr: string): OcvmError {
  const stage = ({3: 'recording it in the staging dir', 4: 'vol-create-as', 5: 'vol-path', 6: 'copying the image into it'} as Record<number, string>)[exitCode] ?? `exit ${exitCode}`
  const last = stderr.trim().split('\n').pop() ?? ''
  return new OcvmError('import-failed', `creating volume ${pool}/${volume} on ${shell.label} failed (${stage})${last ? `: ${last}` : ''}`, {
    hint: 'The volumes this import created are removed; staging is kept. Fix the cause (disk space, the pool) and run again with --resume.',
    details: {pool, volume, host: shell.label},
  })
}

function chainNeedsFiles(pool: string, shell: Shell): UnsupportedError {
  return new UnsupportedError(`pool ${pool} on ${shell.label} does not keep volumes as files, so backing chains cannot be relinked there`, 'Pass --flatten to move each disk as one standalone image, or choose a dir pool with --target-pool.')
}

// Prints the pool dir's parent when it is on the pool dir's mount (a link between the two works) and
// /var/tmp is not (there, the default staging dir can already be linked from); nothing otherwise.
// df names the mount a path is on, bind mounts included (stat's %m does not tell those apart).
const STAGING_PARENT_SCRIPT = String.raw`
p="$1"
at() { df --output=target -- "$1" 2>/dev/null | tail -n 1; }
here=$(at "$p"); [ -n "$here" ] || exit 0
[ "$(at /var/tmp)" = "$here" ] && exit 0
d=$(dirname -- "$p")
[ "$(at "$d")" = "$here" ] && [ -w "$d" ] && printf '%s' "$d"
true
`

/**
 * Read-only, in one round trip: no domain of that name, the pool runs, none of the volumes exists;
 * returns whether the pool keeps volumes as files, and their dir. A probe that failed for another
 * reason than "not found" is asked again on its own, for the usual error.
 */
async function probeTarget(shell: Shell, uri: string, name: string, pool: string, volumes: readonly string[]): Promise<{fileBacked: boolean; poolDir?: string}> {
  const [info, poolRun, poolXml, ...vols] = await execAll(shell, [v.dominfo(uri, name), v.poolInfo(uri, pool), v.poolDumpxml(uri, pool), ...volumes.map((vol) => v.volInfo(uri, pool, vol))], {timeoutMs: v.TIMEOUTS.query})
  if (info?.exitCode === 0) throw domainExistsError(name, shell)
  if (!isNotFound(info?.stderr ?? '') && (await domainExists(shell, uri, name))) throw domainExistsError(name, shell)
  if (poolRun?.exitCode !== 0 || parsePoolState(poolRun.stdout) !== 'running') await requirePool(shell, uri, pool)
  const found = volumes.find((_, i) => vols[i]?.exitCode === 0)
  if (found) throw volumeExists(found, pool, shell)
  const xml = poolXml?.exitCode === 0 ? poolXml.stdout : (await runVirsh(shell, v.poolDumpxml(uri, pool))).stdout
  const poolDir = poolTargetPath(xml)
  return {fileBacked: fileBackedPool(xml), ...(poolDir ? {poolDir} : {})}
}

/**
 * Read-only: the target's libvirt answers, no domain of that name, the pool runs, the top volumes
 * are free. For a pool of files, staging beside the pool's dir (on its mount) lets the import link
 * each verified image into the pool instead of copying every byte of it once more.
 */
export async function checkImport(host: HostSpec, request: ImportCheck, ctx: Context, uri: string, flatten: boolean): Promise<ImportPlacement> {
  const options = parseLibvirtOptions(request.options)
  const shell = ctx.shells.get(host)
  const localUri = targetLocalUri(options.targetConnect, uri)
  const volumes = request.vm.disks.map((d) => targetVolumeName(d.path, request.vm.name, request.targetName, d.target, d.format))
  const {fileBacked, poolDir} = await probeTarget(shell, localUri, request.targetName, options.targetPool, volumes)
  if (!flatten && request.vm.disks.some((d) => d.backingChain.length > 0) && !fileBacked) throw chainNeedsFiles(options.targetPool, shell)
  if (!fileBacked || !poolDir) return {}
  const parent = (await shell.script(STAGING_PARENT_SCRIPT, [poolDir], {timeoutMs: v.TIMEOUTS.query, allowFailure: true})).stdout.trim()
  return parent.startsWith('/') ? {stagingParent: parent} : {}
}

export async function importVm(host: HostSpec, request: ImportRequest, ctx: Context, uri: string): Promise<VmSummary> {
  const options = parseLibvirtOptions(request.options)
  const parsed = ExportMeta.safeParse(request.exportSet.meta)
  if (!parsed.success) throw new BugError('libvirt import: the export set was not made by the libvirt driver')
  const meta = parsed.data
  const shell = ctx.shells.get(host)
  const localUri = targetLocalUri(options.targetConnect, uri)
  const pool = options.targetPool
  const name = request.targetName
  const sourceName = request.exportSet.vm.name
  const renamed = name !== sourceName

  // Preflight: nothing is created until every check passed.
  const planned = {
    disks: meta.disks.map((d) => ({...d, volume: renamed ? targetVolumeName('', sourceName, name, d.target, d.format) : d.volume})),
    backingImages: meta.backingImages.map((b, k) => ({...b, volume: renamed ? backingVolumeName('', sourceName, name, k, b.format) : b.volume})),
  }
  uniqueVolumes(planned, name)
  const images = [...planned.backingImages, ...planned.disks]
  const probe = () => probeTarget(shell, localUri, name, pool, images.map((i) => i.volume))
  // An earlier attempt of this import that was cut short (its ledger is read while the target is
  // probed) is undone first, then the target is probed again and the import done again.
  const [unfinished, probed] = await Promise.allSettled([request.dryRun ? [] : ledgerRead(shell, request.stagingDir), probe()])
  if (unfinished.status === 'rejected') throw unfinished.reason
  if (unfinished.value.length > 0) await abandonImport(host, request, ctx, uri, unfinished.value)
  else if (probed.status === 'rejected') throw probed.reason
  const {fileBacked} = probed.status === 'fulfilled' && unfinished.value.length === 0 ? probed.value : await probe()
  if (!fileBacked && planned.backingImages.length > 0) throw chainNeedsFiles(pool, shell)
  if (request.dryRun) {
    ctx.reporter.step(`would create ${images.map((d) => `${pool}/${d.volume}`).join(', ')} and define ${name} on ${shell.label}`)
    return {name, state: 'stopped'}
  }

  const created: Array<{pool: string; volume: string}> = []
  let defined: string | undefined
  try {
    const paths: Record<string, string> = {}
    for (const image of images) {
      ctx.reporter.step(`Placing ${image.relPath} into ${pool}/${image.volume} (sparse)`)
      const staged = path.posix.join(request.stagingDir, image.relPath)
      // A dir pool's volume is a file: it is replaced with the verified image itself (linked or an
      // exact sparse copy). (vol-upload writes over the fresh volume without truncating it, and
      // skips the image's holes, so bytes of the empty qcow2 it replaces could survive in them.)
      const createArgv = v.volCreateAs(localUri, pool, image.volume, image.virtualBytes, image.format)
      const run = await shell.script(CREATE_SCRIPT, [path.posix.join(request.stagingDir, LEDGER), staged, fileBacked ? '1' : '0', String(createArgv.length), JSON.stringify({pool, volume: image.volume}), ...createArgv, ...v.volPath(localUri, pool, image.volume)], {timeoutMs: v.TIMEOUTS.upload, allowFailure: true})
      if (run.stdout.includes('OCVM-CREATED')) created.push({pool, volume: image.volume})
      const volPath = /^OCVM-PATH:(.*)$/m.exec(run.stdout)?.[1]?.trim()
      if (run.exitCode !== 0 || !volPath) throw placeFailed(image.volume, pool, shell, run.exitCode, run.stderr)
      if (!fileBacked) await runVirsh(shell, v.volUpload(localUri, pool, image.volume, staged), v.TIMEOUTS.upload)
      paths[image.relPath] = volPath
    }
    // Overlays still name their layer's path on the source: point them at the layer's new volume.
    for (const image of images) {
      const below = image.backing ? planned.backingImages.find((b) => b.relPath === image.backing) : undefined
      if (!image.backing) continue
      if (!below || !paths[below.relPath]) throw new BugError(`libvirt import: ${image.relPath} is an overlay of ${image.backing}, which is not in the export`)
      await shell.exec(v.qemuImgRebase(paths[image.relPath]!, image.format, paths[below.relPath]!, below.format), {timeoutMs: v.TIMEOUTS.lifecycle})
    }
    const xml = rewriteDomainXml(meta.xml, {
      diskPaths: Object.fromEntries(planned.disks.map((d) => [d.target, paths[d.relPath]!])),
      ...(renamed ? {name} : {}),
      ...(options.networkMap ? {networkMap: options.networkMap} : {}),
      newMac: options.newMac,
      importedVolumes: created,
    })
    const run = await shell.script(DEFINE_SCRIPT, [localUri, pool, path.posix.join(request.stagingDir, LEDGER), JSON.stringify({define: name}), name], {input: xml, timeoutMs: v.TIMEOUTS.lifecycle, allowFailure: true})
    if (run.exitCode !== 0 && run.exitCode !== 6) throw defineFailed(name, shell, run.exitCode, run.stderr)
    defined = run.exitCode === 0 ? run.stdout : undefined
  } catch (error) {
    for (const c of created.reverse()) await tryVirsh(shell, v.volDelete(localUri, c.pool, c.volume))
    await ledgerRemove(shell, request.stagingDir)
    throw error
  }
  const info = parseDominfo(defined ?? (await runVirsh(shell, v.dominfo(localUri, name))).stdout)
  return {name, state: info.state, id: info.uuid}
}
