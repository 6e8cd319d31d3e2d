import {Flags} from '@oclif/core'

import {exportDeployment} from '../archive/archive.js'
import type {ExportResult} from '../archive/state/export.js'
import type {VmExportResult} from '../archive/vm/export-vm.js'
import {BaseCommand} from '../base-command.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import {deploymentFlags, sessionsFlag} from '../flags/deployment.js'
import {vmDriverOptions, vmExportFlags, vmSourceFlags, vmStopFlags} from '../flags/vm.js'
import {renderExport} from '../views/archive-view.js'
import {renderVmExport} from '../views/vm-view.js'

export default class Export extends BaseCommand {
  static summary = 'Write an OpenClaw deployment to one archive file, for a two-step move (USB disk, air gap).'

  static description = `Packs the state dir and any workspaces outside it into one file on this machine: a tar stream (zstd-compressed when zstd is present on both ends) holding roots/<n>/… and ocvm-archive.json, which records the format version, the source user, home and state dir, the SHA-256 of every file and the inventory summary. Move the file however you like, then run \`ocvm import\` on the other side.

Quiescing: by default the source gateway is STOPPED for the copy (no live SQLite is ever archived) and stays stopped, as for \`ocvm migrate\`: the archive is meant to move the deployment. --restart starts it again once the archive is written (a backup, not a move). --no-quiesce leaves it running and copies live files: SQLite databases may be torn, the archive records that it was made live, and import warns.

The archive is written to FILE.ocvm-partial-<pid> (0600) and renamed to FILE only when complete; an existing FILE is never overwritten. Its SHA-256 is printed and written to FILE.sha256. Memory indexes and plugin node_modules are left out (rebuilt on the target); service files and secrets in them are not copied.

With a hypervisor driver (--driver libvirt) and --vm NAME it exports the whole VM instead: the VM is shut down gracefully (never exported running; --force-stop powers it off after --stop-timeout) and left stopped unless --restart; its disks are copied sparse (a 40 GiB disk holding 2 GiB moves and takes 2 GiB) in their own format (qcow2 stays qcow2), backing chains whole or, with --flatten, as one standalone image each; the definition (libvirt: the domain XML) and the SHA-256 of every file go into ocvm-vm.json. --out is a new (or empty) dir, or a file ending in .tar (a sparse GNU tar of that dir). Import it with \`ocvm import --driver libvirt\`.`

  static examples = [
    {description: 'Export alice\'s gateway onto a USB disk', command: '<%= config.bin %> <%= command.id %> --from root@old-host --user alice --out /media/usb/openclaw.ocvm.tar.zst'},
    {description: 'Back up without taking the gateway down for longer than the copy', command: '<%= config.bin %> <%= command.id %> --from local --out ~/openclaw-backup.tar.zst --restart'},
    {description: 'See what would be archived', command: '<%= config.bin %> <%= command.id %> --from root@old-host --user alice --out x.tar.zst --dry-run'},
    {description: 'Export a KVM guest (disks + domain XML + checksums) into a dir on this machine', command: '<%= config.bin %> <%= command.id %> --driver libvirt --vm openclaw --from root@kvm1 --out /media/usb/openclaw-vm'},
    {description: 'The same as one sparse .tar file, backing chains flattened', command: '<%= config.bin %> <%= command.id %> --driver libvirt --vm openclaw --from root@kvm1 --out /media/usb/openclaw-vm.tar --flatten'},
  ]

  static flags = {
    driver: Flags.string({description: 'How to read it: file (the OpenClaw state of a bare host, the default), or a hypervisor driver to export a whole VM (--vm).', default: 'file'}),
    vm: Flags.string({description: 'The VM to export (hypervisor drivers).', helpGroup: 'VM'}),
    ...vmSourceFlags,
    ...vmExportFlags,
    ...vmStopFlags,
    from: Flags.string({description: 'Source host: local, ssh://[user@]host[:port] or [user@]host.', required: true}),
    ...deploymentFlags('on the source'),
    out: Flags.string({char: 'o', description: 'Archive file to write on this machine (must not exist); for a VM a new dir, or a file ending in .tar.', required: true}),
    quiesce: Flags.boolean({description: 'Stop the source gateway for the copy (default). --no-quiesce copies it live (SQLite may be torn).', default: true, allowNo: true}),
    restart: Flags.boolean({description: 'Start the source gateway (or VM) again once the archive is written.'}),
    ...sessionsFlag(['include', 'exclude']),
    'dry-run': Flags.boolean({description: 'Show what would be archived; stop nothing, write nothing.'}),
  }

  async run(): Promise<ExportResult | VmExportResult> {
    const {flags} = await this.parse(Export)
    const ctx = this.createContext(flags)
    const from = parseHostSpec(flags.from)
    const driver = await this.driverFor(flags.driver, ctx, vmDriverOptions(flags), {source: from})
    const result = await exportDeployment({
      driver,
      from,
      out: flags.out,
      restart: Boolean(flags.restart),
      dryRun: Boolean(flags['dry-run']),
      state: {
        sessions: flags.sessions as 'include' | 'exclude',
        quiesce: flags.quiesce,
        ...(flags.user ? {user: flags.user} : {}),
        ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
        ...(flags.profile ? {profile: flags.profile} : {}),
      },
      vm: {forceStop: Boolean(flags['force-stop']), stopTimeoutSec: flags['stop-timeout'], ...(flags.vm ? {vm: flags.vm} : {})},
    }, ctx)
    if (!this.jsonEnabled()) this.log('kind' in result ? renderVmExport(result) : renderExport(result))
    return this.finish(result)
  }
}
