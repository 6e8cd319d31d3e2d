import {Flags} from '@oclif/core'

import {BaseCommand} from '../base-command.js'
import type {Inventory} from '../deployment/types.js'
import {vmDriverOptions, vmSourceFlags} from '../flags/vm.js'
import {formatHostSpec, parseHostSpec} from '../hosts/host-spec.js'
import {inspect, type VmInspection, type VmListing} from '../inspect/inspect.js'
import {renderInventory} from '../views/inventory-view.js'
import {renderVmInfo, renderVmList} from '../views/vm-view.js'

export type {VmInspection, VmListing}

export default class Inspect extends BaseCommand {
  static summary = 'Show what an OpenClaw deployment consists of and how each part will be migrated.'

  static description = `Finds the deployment (honouring OPENCLAW_STATE_DIR, OPENCLAW_CONFIG_PATH, --profile and the legacy ~/.clawdbot dirs, and the environment of its systemd unit or LaunchDaemon) and lists every component of the migration: config and $include files, workspaces (also outside the state dir), WhatsApp, Signal, Google Chat, auth profiles, identity, sessions, memory index, extensions, cron store, logs, secrets, service files and scheduled tasks, with size, file count and treatment (transfer, optional, re-pair, rebuild, recreate, manual).

Secret values are never read off the host: only key names are reported. Nothing is changed.

With a hypervisor driver (--driver libvirt|lume|parallels|multipass) it describes VMs instead: without --vm the VMs on that host and their states; with --vm NAME that VM as the hypervisor defines it: state, CPUs, memory, each disk with its format, virtual size, allocated data and backing chain, and its network interfaces with their MAC addresses. libvirt reads the domain through virsh at --connect (default qemu:///system).`

  static examples = [
    {description: 'Inspect the deployment of the current user on this machine', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Inspect the gateway of user openclaw on a server, over ssh', command: '<%= config.bin %> <%= command.id %> --from root@server --user openclaw'},
    {description: 'A profile (~/.openclaw-work), as JSON', command: '<%= config.bin %> <%= command.id %> --from ssh://me@mac.local --profile work --json'},
    {description: 'The libvirt domains of a KVM host', command: '<%= config.bin %> <%= command.id %> --driver libvirt --from root@kvm1'},
    {description: 'One domain: disks (format, size, data, backing chain), networks and MACs, as JSON', command: '<%= config.bin %> <%= command.id %> --driver libvirt --from root@kvm1 --vm openclaw --json'},
  ]

  static flags = {
    from: Flags.string({description: 'Host to inspect: local, ssh://[user@]host[:port] or [user@]host.', default: 'local'}),
    user: Flags.string({description: 'OS user whose deployment to inspect (default: the login user).'}),
    'state-dir': Flags.string({description: 'State directory (default: resolved like OpenClaw does, ~/.openclaw).'}),
    config: Flags.string({description: 'Config file (default: <state-dir>/openclaw.json or OPENCLAW_CONFIG_PATH).'}),
    profile: Flags.string({description: 'OpenClaw profile name: state in ~/.openclaw-<name>.'}),
    driver: Flags.string({description: 'file (an OpenClaw deployment, the default), or a hypervisor driver (`ocvm drivers list`) to describe VMs.', default: 'file'}),
    vm: Flags.string({description: 'The VM to describe (hypervisor drivers); without it, the VMs on the host are listed.', helpGroup: 'VM'}),
    ...vmSourceFlags,
  }

  async run(): Promise<Inventory | VmInspection | VmListing> {
    const {flags} = await this.parse(Inspect)
    const ctx = this.createContext(flags)
    const host = parseHostSpec(flags.from)
    const driver = await this.driverFor(flags.driver, ctx, vmDriverOptions(flags), {source: host})
    const result = await inspect({
      driver,
      host,
      deployment: {
        ...(flags.user ? {user: flags.user} : {}),
        ...(flags['state-dir'] ? {stateDir: flags['state-dir']} : {}),
        ...(flags.config ? {configPath: flags.config} : {}),
        ...(flags.profile ? {profile: flags.profile} : {}),
      },
      ...(flags.vm ? {vm: flags.vm} : {}),
    }, ctx)
    if (!this.jsonEnabled()) this.log(render(result, formatHostSpec(host), driver.name))
    return result
  }
}

function render(result: Inventory | VmInspection | VmListing, host: string, driver: string): string {
  if ('vms' in result) return renderVmList(result.vms, host, driver)
  if ('disks' in result) return renderVmInfo(result, host, driver)
  return renderInventory(result)
}
