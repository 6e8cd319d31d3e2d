import path from 'node:path'

import type {Context} from '../../context.js'
import {OcvmError, VmExistsError} from '../../errors.js'
import {formatHostSpec, type HostSpec} from '../../hosts/host-spec.js'
import type {VmInfo} from '../api.js'
import {parseDomainXml, rewriteDomainXml} from './domain-xml.js'
import {domainExists, domainState, requirePool, runVirsh} from './domain.js'
import {inspectDomain} from './inspect.js'
import {isLocalUri, parseLibvirtOptions, targetLocalUri as targetLocal} from './options.js'
import * as v from './virsh.js'

/**
 * `--live`: `virsh migrate --live --copy-storage-all --persistent --undefinesource`, run on the
 * source host. The domain keeps running while QEMU copies its disks (NBD) and memory to the target;
 * afterwards it runs on the target, is defined there, and is gone from the source (its disk files
 * stay on the source, untouched). The target needs volumes of the same size to copy into: they are
 * created first in the target pool, named like the source files, and the disks are pointed at them.
 */

const XML_PLACEHOLDER = '@OCVM_XML@'
const PERSISTENT_PLACEHOLDER = '@OCVM_PERSISTENT_XML@'
const SPLIT = '<!-- ocvm:persistent -->'
/**
 * Saves stdin (the running XML, a SPLIT line, the persistent XML) to two private temp files, runs
 * argv with their paths in place of the placeholders, removes them.
 */
const WITH_XML_FILES = `set -e
t=$(mktemp); p=$(mktemp); trap 'rm -f "$t" "$p"' EXIT
awk -v t="$t" -v p="$p" 'BEGIN { f = t } $0 == "${SPLIT}" { f = p; next } { print > f }'
n=$#
while [ "$n" -gt 0 ]; do
  a=$1; shift; n=$((n - 1))
  case "$a" in
    ${XML_PLACEHOLDER}) set -- "$@" "$t" ;;
    ${PERSISTENT_PLACEHOLDER}) set -- "$@" "$p" ;;
    *) set -- "$@" "$a" ;;
  esac
done
"$@"`

export interface LiveMigrateOptions {
  /** Driver options (`connect`, `targetConnect`, `targetPool`, `migrateUri`). */
  options: Record<string, unknown>
  dryRun: boolean
  /** How long the whole migration may take. */
  timeoutMs?: number
}

export interface LiveMigrateResult {
  vm: VmInfo
  targetUri: string
  volumes: Array<{target: string; pool: string; volume: string; path: string}>
  durationMs: number
}

/** `qemu+ssh://[user@]host[:port]/system`: what the source host uses to reach the target's libvirt. */
export function defaultTargetUri(target: HostSpec): string {
  if (target.kind !== 'ssh') return v.DEFAULT_URI
  const host = target.host.includes(':') ? `[${target.host}]` : target.host
  return `qemu+ssh://${target.user ? `${target.user}@` : ''}${host}${target.port ? `:${target.port}` : ''}/system`
}

export async function liveMigrate(source: HostSpec, target: HostSpec, name: string, opts: LiveMigrateOptions, ctx: Context): Promise<LiveMigrateResult> {
  const options = parseLibvirtOptions(opts.options)
  const src = ctx.shells.get(source)
  const dst = ctx.shells.get(target)
  const uri = options.connect
  // --target-connect also names the target's local URI for cold moves (qemu:///system): only a remote one reaches it from the source.
  const targetLocalUri = targetLocal(options.targetConnect)
  const targetUri = options.targetConnect && !isLocalUri(options.targetConnect) ? options.targetConnect : defaultTargetUri(target)
  const migrateUri = options.migrateUri ?? (target.kind === 'ssh' && /^[0-9a-f.:]+$/i.test(target.host) ? `tcp://${target.host.includes(':') ? `[${target.host}]` : target.host}` : undefined)
  const pool = options.targetPool
  const started = Date.now()

  // Preflight (read-only): a running source domain, no such domain on the target, a running pool there.
  const vm = await inspectDomain(source, name, ctx, uri)
  if (vm.state !== 'running') {
    throw new OcvmError('vm-not-running', `${name} on ${src.label} is ${vm.state}; --live moves a running domain`, {hint: 'Drop --live: a stopped domain moves cold (sparse disk transfer + define).'})
  }
  if (await domainExists(dst, targetLocalUri, name)) {
    throw new VmExistsError('libvirt', name, dst.label, undefined, 'Remove it on the target first (virsh undefine), or move cold with --target-name.')
  }
  await requirePool(dst, targetLocalUri, pool)
  const volumes = vm.disks.map((d) => ({target: d.target, pool, volume: path.posix.basename(d.path), path: '', format: d.format, virtualBytes: d.virtualBytes}))
  for (const vol of volumes) {
    const r = await dst.exec(v.volInfo(targetLocalUri, pool, vol.volume), {timeoutMs: v.TIMEOUTS.query, allowFailure: true})
    if (r.exitCode === 0) throw new OcvmError('volume-exists', `volume "${vol.volume}" already exists in pool ${pool} on ${dst.label}`, {hint: 'Remove the stale volume on the target (virsh vol-delete) and run again.'})
  }
  if (opts.dryRun) {
    ctx.reporter.step(`would live-migrate ${name} from ${formatHostSpec(source)} to ${targetUri}, copying ${volumes.length} disk(s) into pool ${pool}`)
    return {vm, targetUri, volumes, durationMs: 0}
  }

  const created: typeof volumes = []
  try {
    for (const vol of volumes) {
      await runVirsh(dst, v.volCreateAs(targetLocalUri, pool, vol.volume, vol.virtualBytes, vol.format), v.TIMEOUTS.lifecycle)
      created.push(vol)
      vol.path = (await runVirsh(dst, v.volPath(targetLocalUri, pool, vol.volume))).stdout.trim()
    }
    // The target's disk paths may differ from the source's (another pool dir): give virsh the XML to use there,
    // for the running domain and for the definition it keeps.
    const diskPaths = Object.fromEntries(volumes.map((vol) => [vol.target, vol.path]))
    const liveXml = rewriteDomainXml((await runVirsh(src, v.dumpxmlMigratable(uri, name))).stdout, {diskPaths})
    const persistentXml = rewriteDomainXml((await runVirsh(src, v.dumpxmlInactive(uri, name))).stdout, {diskPaths})
    ctx.reporter.step(`Live-migrating ${name} to ${targetUri} (memory and disks, the guest keeps running)`)
    const argv = v.migrateLive({uri, name, targetUri, ...(migrateUri ? {migrateUri} : {}), xmlFile: XML_PLACEHOLDER, persistentXmlFile: PERSISTENT_PLACEHOLDER})
    await src.script(WITH_XML_FILES, argv, {input: `${liveXml.trimEnd()}\n${SPLIT}\n${persistentXml}`, timeoutMs: opts.timeoutMs ?? v.TIMEOUTS.upload})
  } catch (error) {
    // Only what we created, and only while the domain did not arrive there.
    if (!(await domainExists(dst, targetLocalUri, name).catch(() => true))) {
      for (const vol of created) await dst.exec(v.volDelete(targetLocalUri, vol.pool, vol.volume), {timeoutMs: v.TIMEOUTS.query, allowFailure: true})
    }
    throw error
  }

  const state = await domainState(dst, targetLocalUri, name)
  if (state.state !== 'running') {
    throw new OcvmError('verify-failed', `${name} arrived on ${dst.label} but is ${state.raw}`, {hint: `Look at /var/log/libvirt/qemu/${name}.log on ${dst.label}.`})
  }
  const defined = parseDomainXml((await runVirsh(dst, v.dumpxmlInactive(targetLocalUri, name))).stdout)
  const wrong = defined.disks.filter((d) => d.device === 'disk' && volumes.some((vol) => vol.target === d.target && vol.path !== d.file))
  if (wrong.length > 0) throw new OcvmError('verify-failed', `${name} on ${dst.label} does not use the migrated disks (${wrong.map((d) => d.target).join(', ')})`)
  return {vm, targetUri, volumes, durationMs: Date.now() - started}
}
