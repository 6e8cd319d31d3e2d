import {Args, Flags} from '@oclif/core'

import {importDeployment, type ImportResult} from '../archive/archive.js'
import {BaseCommand} from '../base-command.js'
import {parseHostSpec} from '../hosts/host-spec.js'
import {changeFlags, sessionsFlag, targetAccountFlags} from '../flags/deployment.js'
import {vmDriverOptions, vmTargetFlags} from '../flags/vm.js'
import {UsageError} from '../errors.js'
import type {SessionsMode} from '../migrate/types.js'
import {renderOutcome, renderPlan} from '../views/migration-view.js'
import {renderVmImport} from '../views/vm-view.js'

export default class Import extends BaseCommand {
  static summary = 'Move an OpenClaw deployment from an archive (ocvm export, or openclaw backup create) onto a host.'

  static description = `The archive stays on this machine and is streamed to the target over ssh; it is never copied there first.

Before anything is written, ocvm reads the whole archive here: it refuses absolute names, '..' components, symlinks that leave the archive, hard links to outside, device files, fifos, set-id files, and archives that would unpack to more than the target's free space or 200 times their own size (decompression bombs); it checksums every file and, for ocvm archives, checks each against the manifest inside. Then the archive is unpacked by GNU tar (no owners, no xattrs, never replacing a file, cut off at the checked length) into a 0700 staging dir next to the target, every file is verified again, and the same steps as \`ocvm migrate\` follow: path rewrites in openclaw.json, its $include files and sessions.json, an atomic move into place, ownership and the guide's permission set.

Any failure before that move removes the staging dir: the target is left as it was. Archives from \`openclaw backup create\` are detected by their manifest.json; their assets (state dir, workspaces) are mapped to the target user's home.

With a hypervisor driver (--driver libvirt) it imports a VM export (\`ocvm export --driver libvirt\`, a dir or .tar): every file's SHA-256 is checked against ocvm-vm.json, the target is checked (libvirt reachable at --target-connect, no domain of that name, the --target-pool running, no volume in the way) before anything is written, the files go sparse into a 0700 staging dir there and are verified again, then they become volumes in the pool (chains relinked), the domain XML is rewritten (disk paths, --target-name, --network-map, --new-mac) and defined; --start starts it. An existing domain is never overwritten, and a failure leaves nothing behind on the target.`

  static examples = [
    {description: 'See the plan and every path rewrite, change nothing', command: '<%= config.bin %> <%= command.id %> --to root@new-host --target-user openclaw /media/usb/openclaw.ocvm.tar.zst --dry-run'},
    {description: 'Import for user bob on a new server', command: '<%= config.bin %> <%= command.id %> --to root@new-host --target-user bob openclaw.ocvm.tar.zst --yes'},
    {description: 'Import an archive made by `openclaw backup create`', command: '<%= config.bin %> <%= command.id %> --to root@new-host --target-user bob 2026-11-24T10-00-00.000Z-openclaw-backup.tar.gz --yes'},
    {description: 'Import a KVM guest exported with `ocvm export --driver libvirt`, into pool "fast", and start it', command: '<%= config.bin %> <%= command.id %> --driver libvirt --to root@kvm2 /media/usb/openclaw-vm --target-pool fast --start --yes'},
  ]

  static args = {
    file: Args.string({description: 'The archive (ocvm export, or openclaw backup create); for a VM the dir or .tar from ocvm export --driver.', required: true}),
  }

  static flags = {
    driver: Flags.string({description: 'How to move it: file (bare hosts, the default), or the hypervisor driver the VM was exported with.', default: 'file'}),
    ...vmTargetFlags,
    start: Flags.boolean({description: 'Start the VM once it is defined (hypervisor drivers).', helpGroup: 'VM'}),
    'staging-dir': Flags.string({description: 'Where the VM\'s files land on the target before import (default /var/tmp/ocvm-import-<run>; removed afterwards).', helpGroup: 'VM'}),
    to: Flags.string({description: 'Target host: local, ssh://[user@]host[:port] or [user@]host.', required: true}),
    ...targetAccountFlags,
    ...sessionsFlag(['include', 'exclude', 'scan']),
    'dry-run': Flags.boolean({description: 'Check the archive, show the plan and the path rewrites as a diff; write nothing.'}),
    ...changeFlags,
  }

  async run(): Promise<ImportResult> {
    const {args, flags} = await this.parse(Import)
    const ctx = this.createContext(flags)
    const interactive = process.stdin.isTTY === true && !this.jsonEnabled()
    if (!flags.yes && !flags['dry-run'] && !interactive) {
      throw new UsageError('refusing to import without confirmation in a non-interactive session', 'Pass --yes (after checking the plan with --dry-run).')
    }
    const to = parseHostSpec(flags.to)
    const driver = await this.driverFor(flags.driver, ctx, vmDriverOptions(flags), {target: to})
    const result = await importDeployment({
      driver,
      archive: args.file,
      to,
      dryRun: Boolean(flags['dry-run']),
      state: {
        sessions: flags.sessions as SessionsMode,
        force: Boolean(flags.force),
        ...(flags['target-user'] ? {targetUser: flags['target-user']} : {}),
        ...(flags['target-home'] ? {targetHome: flags['target-home']} : {}),
        ...(flags['target-state-dir'] ? {targetStateDir: flags['target-state-dir']} : {}),
      },
      vm: {
        driverOptions: vmDriverOptions(flags),
        start: Boolean(flags.start),
        ...(flags['target-name'] ? {targetName: flags['target-name']} : {}),
        ...(flags['staging-dir'] ? {stagingDir: flags['staging-dir']} : {}),
      },
    }, ctx, {confirm: flags.yes ? undefined : async (plan) => this.ask(renderImportPlan(plan))})
    if (!this.jsonEnabled()) this.log(result.dryRun ? renderImportPlan(result) : renderImportOutcome(result))
    return this.finish(result)
  }
}

function renderImportPlan(result: ImportResult): string {
  return 'kind' in result ? renderVmImport(result) : renderPlan(result)
}

function renderImportOutcome(result: ImportResult): string {
  return 'kind' in result ? renderVmImport(result) : renderOutcome(result)
}
