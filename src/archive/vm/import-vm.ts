import {existsSync, readFileSync, statSync} from 'node:fs'
import {join, posix, resolve} from 'node:path'

import type {Context} from '../../context.js'
import type {ImageDriver, VmInfo, VmSummary} from '../../drivers/api.js'
import {AbortedError, OcvmError, UnsupportedError, UsageError} from '../../errors.js'
import {formatHostSpec, LOCAL, type HostSpec} from '../../hosts/host-spec.js'
import {checkVmName, requireDriver} from '../../drivers/checks.js'
import {requireSpace} from '../../transfer/disk-space.js'
import {newRunId} from '../../pipeline/journal.js'
import {damagedFiles, sendFiles, verifyFiles} from '../../transfer/files.js'
import {initialSteps, VM_IMPORT_STEPS, type VmImportStep} from '../../pipeline/archive-steps.js'
import {memoryLog} from '../../pipeline/run-log.js'
import {runPlan, type RunRecord} from '../../pipeline/runner.js'
import {badArchive, parseManifest, VM_MANIFEST, type VmManifest} from './manifest.js'
import {checkPackedMembers, readPackedManifest, unpackTo} from './tar-file.js'

export interface VmImportOptions {
  /** The dir or .tar that `ocvm export --driver <hypervisor>` wrote. */
  archive: string
  to: HostSpec
  targetName?: string
  /** Driver flags (`--target-pool`, `--target-connect`, `--network-map`, `--new-mac`), validated by the driver. */
  driverOptions: Record<string, unknown>
  /** Start the VM once it is defined. */
  start: boolean
  dryRun: boolean
  stagingDir?: string
}

export interface VmImportResult {
  kind: 'vm-import'
  status: 'ok' | 'planned'
  dryRun: boolean
  driver: string
  archive: string
  format: 'dir' | 'tar'
  target: string
  name: string
  source: VmManifest['source']
  vm: VmInfo
  files: number
  bytes: number
  allocated: number
  imported?: VmSummary
  started: boolean
  seconds: number
  nextSteps: string[]
}

export interface VmImportCallbacks {
  /** Asked once every check passed, before anything is written on the target. */
  confirm?: (plan: VmImportResult) => Promise<boolean>
}

/** Every name a packed export may hold: the manifest, the files it lists and their parent dirs. */
function expectedNames(manifest: VmManifest): (name: string) => boolean {
  const names = new Set<string>([VM_MANIFEST])
  for (const f of manifest.files) {
    for (let p = f.relPath; p !== '.' && p !== ''; p = posix.dirname(p)) names.add(p)
  }
  return (name) => names.has(name)
}

function readManifest(archive: string, format: 'dir' | 'tar', ctx: Context): Promise<string> | string {
  if (format === 'tar') return readPackedManifest(ctx.shells.get(LOCAL), archive)
  const file = join(archive, VM_MANIFEST)
  if (!existsSync(file)) throw badArchive(archive, `it has no ${VM_MANIFEST}`)
  return readFileSync(file, 'utf8')
}

/**
 * `ocvm import --driver <hypervisor>`: checks the export (its manifest, its members, every file's
 * SHA-256), checks the target (hypervisor reachable, no VM of that name, the storage there), sends
 * the files into a 0700 staging dir on the target, verifies them there again, and has the driver
 * define the VM (never over an existing one). Staging is removed whatever happens; a failed import
 * leaves nothing of it behind.
 */
export async function importVmArchive(options: VmImportOptions, driver: ImageDriver, ctx: Context, callbacks: VmImportCallbacks = {}): Promise<VmImportResult> {
  if (!driver.capabilities.import) throw new UnsupportedError(`the ${driver.name} driver cannot import a VM image`, 'Use a driver that imports images (ocvm drivers list).')
  const archive = resolve(options.archive)
  if (!existsSync(archive)) throw new UsageError(`${archive} does not exist`, 'Give the dir or .tar file that `ocvm export --driver <hypervisor>` wrote.')
  const format = statSync(archive).isDirectory() ? 'dir' : 'tar'
  const local = ctx.shells.get(LOCAL)
  const manifest = parseManifest(await readManifest(archive, format, ctx), archive)
  if (manifest.driver !== driver.name) throw new UsageError(`${archive} was exported by the ${manifest.driver} driver`, `Import it with --driver ${manifest.driver}.`)
  if (format === 'tar') await checkPackedMembers(local, archive, expectedNames(manifest))
  const name = options.targetName ?? manifest.exportSet.vm.name
  checkVmName('--target-name', name)
  const targetHost = options.to
  const target = ctx.shells.get(targetHost)

  // Preflight: the hypervisor there answers, nothing of that name, the driver would accept it. Nothing is created.
  await requireDriver(driver, targetHost, ctx, target)
  if ((await driver.list(targetHost, ctx)).some((v) => v.name === name)) {
    throw new OcvmError('target-exists', `a VM named "${name}" already exists on ${target.label}`, {hint: 'ocvm never overwrites a VM: pick another name with --target-name, or remove that VM yourself.'})
  }
  const stagingDir = options.stagingDir ?? `/var/tmp/ocvm-import-${newRunId()}`
  const request = {exportSet: manifest.exportSet, stagingDir, targetName: name, options: options.driverOptions}
  await driver.importVm(targetHost, {...request, dryRun: true}, ctx)
  const allocated = manifest.files.reduce((n, f) => n + f.allocated, 0)
  await requireSpace(target, stagingDir, allocated)
  const plan: VmImportResult = {
    kind: 'vm-import', status: 'planned', dryRun: options.dryRun, driver: driver.name, archive, format, target: formatHostSpec(targetHost), name,
    source: manifest.source, vm: manifest.exportSet.vm, files: manifest.files.length, bytes: manifest.files.reduce((n, f) => n + f.bytes, 0), allocated,
    started: false, seconds: 0, nextSteps: ['Nothing was changed. Run the same command without --dry-run (and with --yes) to import.'],
  }
  if (options.dryRun) return plan
  if (callbacks.confirm && !(await callbacks.confirm(plan))) throw new AbortedError('import')

  const started = Date.now()
  const inArchive = manifest.exportSet.files.map((f) => ({source: join(archive, f.relPath), relPath: f.relPath, sparse: f.sparse}))
  type Run = RunRecord<VmImportStep> & {imported?: VmSummary; started?: boolean}
  const log = memoryLog<Run>({steps: initialSteps(Object.keys(VM_IMPORT_STEPS) as VmImportStep[], new Set(options.start ? [] : ['start' as const])), committed: false, status: 'running'})
  const removeStaging = async () => {
    await target.exec(['rm', '-rf', '--', stagingDir], {allowFailure: true, timeoutMs: 10 * 60_000})
  }
  await runPlan<VmImportStep, Run>(log, {
    actions: {
      transfer: async () => {
        if (format === 'tar') {
          await unpackTo(target, archive, stagingDir, ctx.signal)
          return `${archive} unpacked into ${stagingDir} on ${target.label}`
        }
        // A damaged export is found here, before a byte goes to the target.
        const bad = await damagedFiles(local, archive, manifest.files, ctx.signal)
        if (bad.length > 0) {
          throw new OcvmError('archive-corrupt', `${bad.length} of ${manifest.files.length} file(s) in ${archive} do not match its manifest: ${bad.map((f) => f.relPath).slice(0, 3).join(', ')}`, {
            hint: 'The export was damaged after it was written (disk, copy). Nothing was imported: copy it again from a good copy, or export again.',
          })
        }
        const sent = await sendFiles({source: local, target, stagingDir, compress: targetHost.kind !== 'local', facts: manifest.files, files: inArchive, reporter: ctx.reporter, ...(ctx.signal ? {signal: ctx.signal} : {})})
        return `${sent.bytes} bytes apparent, ${sent.wireBytes} on the wire`
      },
      verify: async () => {
        await verifyFiles({target, stagingDir, facts: manifest.files, ...(format === 'dir' ? {origin: {shell: local, files: inArchive}} : {}), ...(ctx.signal ? {signal: ctx.signal} : {})})
        return `${manifest.files.length} file(s) verified (SHA-256)`
      },
      import: async () => {
        try {
          log.update({imported: await driver.importVm(targetHost, {...request, dryRun: false}, ctx)})
        } finally {
          await removeStaging()
        }
        return `${name} defined on ${target.label}`
      },
      start: async () => {
        try {
          await driver.start(targetHost, name, ctx)
        } catch (error) {
          if (error instanceof OcvmError) (error as {hint: string | undefined}).hint = `${name} is imported (defined) on ${target.label} but did not start. ${error.hint ?? ''}`.trim()
          throw error
        }
        log.update({started: true})
        return `${name} started`
      },
    },
    describe: (step) => VM_IMPORT_STEPS[step],
    commitPoint: 'import',
    // An import does not resume: whatever fails before the VM is defined leaves the target as it was.
    removeStaging,
    removeStagingOn: () => true,
    ...(ctx.signal ? {signal: ctx.signal} : {}),
  }, ctx.reporter)
  const imported = log.data.imported as VmSummary
  const startedVm = log.data.started === true
  return {
    ...plan,
    status: 'ok',
    imported,
    started: startedVm,
    seconds: (Date.now() - started) / 1000,
    nextSteps: [startedVm ? `${name} runs on ${target.label}.` : `${name} is defined on ${target.label}, not started: start it with --start next time, or with the hypervisor's own tools.`],
  }
}
