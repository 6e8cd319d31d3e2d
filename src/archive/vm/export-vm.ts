import {existsSync, readdirSync, statSync} from 'node:fs'
import {rename, rm, rmdir, writeFile} from 'node:fs/promises'
import {dirname, join, resolve} from 'node:path'

import type {Context} from '../../context.js'
import type {ExportSet, ImageDriver, VmInfo} from '../../drivers/api.js'
import {OcvmError, UnsupportedError, UsageError} from '../../errors.js'
import {formatHostSpec, LOCAL, type HostSpec} from '../../hosts/host-spec.js'
import {checkVmName, requireDriver} from '../../drivers/checks.js'
import {requireSpace} from '../../transfer/disk-space.js'
import {removeExportScratch} from '../../migrate/image/scratch.js'
import {type FileFacts, sendFiles, type SendFilesResult as SentFiles, verifyFiles} from '../../transfer/files.js'
import {initialSteps, VM_EXPORT_STEPS, type VmExportStep} from '../../pipeline/archive-steps.js'
import {memoryLog} from '../../pipeline/run-log.js'
import {runPlan, type RunRecord} from '../../pipeline/runner.js'
import {buildManifest, VM_MANIFEST} from './manifest.js'
import {isTarPath, packDir} from './tar-file.js'

export interface VmExportOptions {
  vm: string
  from: HostSpec
  /** A dir to create (or an empty one), or a file ending in `.tar`. */
  out: string
  forceStop: boolean
  stopTimeoutSec: number
  /** Start the VM again once its files are written (a copy rather than a move). */
  restart: boolean
  dryRun: boolean
}

export interface VmExportResult {
  kind: 'vm-export'
  status: 'ok' | 'planned'
  dryRun: boolean
  driver: string
  source: string
  vm: VmInfo
  out: string
  format: 'dir' | 'tar'
  wasRunning: boolean
  restarted: boolean
  files: FileFacts[]
  bytes: number
  allocated: number
  wireBytes: number
  seconds: number
  nextSteps: string[]
}

function isEmptyDir(path: string): boolean {
  return statSync(path).isDirectory() && readdirSync(path).length === 0
}

/**
 * `ocvm export --driver <hypervisor>`: the VM's files (disks sparse, in their own format, chains
 * whole or flattened) and a manifest with the SHA-256 of each, written to this machine. The VM is
 * shut down gracefully first (never exported running) and left stopped unless `restart`. The
 * export is written under `<out>.ocvm-partial-<pid>`, verified, then renamed: `out` either holds a
 * complete export or does not exist.
 */
export async function exportVmArchive(options: VmExportOptions, driver: ImageDriver, ctx: Context): Promise<VmExportResult> {
  checkVmName('--vm', options.vm)
  if (!driver.capabilities.export) throw new UnsupportedError(`the ${driver.name} driver cannot export a VM image`, `Move the OpenClaw state out of the guest instead: ocvm migrate --driver ${driver.name} --mode state.`)
  const sourceHost = options.from
  const source = ctx.shells.get(sourceHost)
  const local = ctx.shells.get(LOCAL)
  const out = resolve(options.out)
  const format = isTarPath(out) ? 'tar' : 'dir'
  if (existsSync(out) && !(format === 'dir' && isEmptyDir(out))) throw new UsageError(`${out} already exists`, 'ocvm never overwrites an export: give a new --out (a dir, or a file ending in .tar).')
  if (!existsSync(dirname(out))) throw new UsageError(`${dirname(out)} does not exist`, 'Create the parent dir of --out first.')

  await requireDriver(driver, sourceHost, ctx, source)
  const vm = await driver.inspect(sourceHost, options.vm, ctx)
  const data = vm.disks.reduce((n, d) => n + d.allocatedBytes, 0)
  // A .tar is packed from the verified dir: both exist for a moment.
  await requireSpace(local, dirname(out), format === 'tar' ? 2 * data : data, `Free space on this machine for ${out}, or export somewhere bigger.`)
  const wasRunning = vm.state !== 'stopped'
  const result: VmExportResult = {
    kind: 'vm-export', status: 'planned', dryRun: options.dryRun, driver: driver.name, source: formatHostSpec(sourceHost), vm, out, format,
    wasRunning, restarted: false, files: [], bytes: 0, allocated: 0, wireBytes: 0, seconds: 0,
    nextSteps: [`${wasRunning ? `${vm.name} will be shut down${options.restart ? ' and started again afterwards' : ' and left stopped'}. ` : ''}Run without --dry-run to export.`],
  }
  if (options.dryRun) return result

  const started = Date.now()
  const partial = `${out}.ocvm-partial-${process.pid}`
  const packed = `${partial}.tar`
  type Run = RunRecord<VmExportStep> & {exportSet?: ExportSet; sent?: SentFiles; restarted?: boolean}
  const skipped = new Set<VmExportStep>([...(wasRunning ? [] : ['stop' as const]), ...(options.restart && wasRunning ? [] : ['restart' as const])])
  const log = memoryLog<Run>({steps: initialSteps(Object.keys(VM_EXPORT_STEPS) as VmExportStep[], skipped), committed: false, status: 'running'})
  const need = <K extends keyof Run>(key: K): NonNullable<Run[K]> => log.data[key] as NonNullable<Run[K]>
  try {
    await runPlan<VmExportStep, Run>(log, {
      actions: {
        stop: async () => {
          await driver.stop(sourceHost, vm.name, ctx, {timeoutMs: options.stopTimeoutSec * 1000, force: options.forceStop})
          const after = await driver.inspect(sourceHost, vm.name, ctx)
          if (after.state !== 'stopped') throw new OcvmError('stop-failed', `${vm.name} is still ${after.state} on ${source.label}`, {hint: 'Shut the guest down from inside, or pass --force-stop to power it off after the timeout.'})
          return `${vm.name} shut down`
        },
        export: async () => {
          const exportSet = await driver.exportVm(sourceHost, vm.name, ctx)
          log.update({exportSet})
          return `${exportSet.files.length} file(s)`
        },
        transfer: async () => {
          const sent = await sendFiles({
            source, target: local, files: need('exportSet').files, stagingDir: partial, compress: sourceHost.kind !== 'local', reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {}),
          })
          log.update({sent})
          return `${sent.bytes} bytes apparent, ${sent.allocated} allocated, ${sent.wireBytes} on the wire`
        },
        verify: async () => {
          const {facts} = need('sent')
          const held = await verifyFiles({target: local, stagingDir: partial, facts, origin: {shell: source, files: need('exportSet').files}, ...(ctx.signal ? {signal: ctx.signal} : {})})
          await writeFile(join(partial, VM_MANIFEST), `${JSON.stringify(buildManifest(driver.name, result.source, wasRunning, need('exportSet'), held), null, 2)}\n`, {mode: 0o600, flag: 'wx'})
          return `${facts.length} file(s) verified (SHA-256)`
        },
        pack: async () => {
          if (format === 'tar') {
            const entries = [...new Set([VM_MANIFEST, ...need('sent').facts.map((f) => f.relPath.split('/')[0]!)])]
            await packDir(local, partial, entries, packed)
            await rename(packed, out)
            await rm(partial, {recursive: true, force: true})
          } else {
            if (existsSync(out)) await rmdir(out)
            await rename(partial, out)
          }
          return out
        },
        restart: async () => {
          await driver.start(sourceHost, vm.name, ctx)
          log.update({restarted: true})
          return `${vm.name} started`
        },
      },
      describe: (name) => VM_EXPORT_STEPS[name],
      commitPoint: 'pack',
      // A half-written export is never left behind, whatever failed.
      removeStaging: async () => {
        await rm(partial, {recursive: true, force: true})
        await rm(packed, {force: true})
      },
      removeStagingOn: () => true,
      ...(ctx.signal ? {signal: ctx.signal} : {}),
    }, ctx.reporter)
  } finally {
    await removeExportScratch(source, log.data.exportSet)
  }
  const sent = need('sent')
  Object.assign(result, {files: sent.facts, bytes: sent.bytes, allocated: sent.allocated, wireBytes: sent.wireBytes, restarted: log.data.restarted === true})
  return {
    ...result,
    status: 'ok',
    seconds: (Date.now() - started) / 1000,
    nextSteps: [
      `Import it: ocvm import --driver ${driver.name} --to <host> ${out} --dry-run`,
      ...(wasRunning && !result.restarted ? [`${vm.name} is stopped on ${source.label}; start it again there if it should keep running (the export is a copy).`] : []),
    ],
  }
}
