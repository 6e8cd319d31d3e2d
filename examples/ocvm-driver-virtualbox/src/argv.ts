// Pure argv builders for VBoxManage (VirtualBox manual, chapter 8 "VBoxManage"). Never a shell string.

export const VBOXMANAGE = 'VBoxManage'

export const versionArgs = (): string[] => [VBOXMANAGE, '--version']
export const listVmsArgs = (): string[] => [VBOXMANAGE, 'list', 'vms']
export const showVmInfoArgs = (vm: string): string[] => [VBOXMANAGE, 'showvminfo', vm, '--machinereadable']
export const showMediumInfoArgs = (disk: string): string[] => [VBOXMANAGE, 'showmediuminfo', 'disk', disk]
export const acpiShutdownArgs = (vm: string): string[] => [VBOXMANAGE, 'controlvm', vm, 'acpipowerbutton']
export const powerOffArgs = (vm: string): string[] => [VBOXMANAGE, 'controlvm', vm, 'poweroff']
export const startHeadlessArgs = (vm: string): string[] => [VBOXMANAGE, 'startvm', vm, '--type', 'headless']
export const unregisterDeleteArgs = (vm: string): string[] => [VBOXMANAGE, 'unregistervm', vm, '--delete']
export const guestIpArgs = (vm: string): string[] => [VBOXMANAGE, 'guestproperty', 'get', vm, '/VirtualBox/GuestInfo/Net/0/V4/IP']

/** `VBoxManage export` writes one OVA (OVF 2.0 with a manifest, so the import checks the disks' digests). */
export const exportOvaArgs = (vm: string, ova: string): string[] => [VBOXMANAGE, 'export', vm, '--output', ova, '--ovf20', '--manifest']

/** `VBoxManage import`; `--dry-run` makes VBoxManage only describe what it would import. */
export function importOvaArgs(ova: string, vmName: string, options: {dryRun: boolean; baseFolder?: string}): string[] {
  return [
    VBOXMANAGE, 'import', ova, '--vsys', '0', '--vmname', vmName,
    ...(options.baseFolder ? ['--basefolder', options.baseFolder] : []),
    ...(options.dryRun ? ['--dry-run'] : []),
  ]
}
