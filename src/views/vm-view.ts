import type {VmInfo, VmSummary} from '../drivers/api.js'
import type {VmExportResult} from '../archive/vm/export-vm.js'
import type {VmImportResult} from '../archive/vm/import-vm.js'
import {formatBytes, table} from '../output/format.js'
import {nextLines} from './footer.js'

/** `ocvm inspect --driver <hypervisor> --vm NAME`: the VM as the hypervisor defines it. */
export function renderVmInfo(vm: VmInfo, host: string, driver: string): string {
  const out: string[] = []
  out.push(`${vm.name} on ${host} (${driver}): ${vm.state}`)
  out.push(`  ${[vm.id ? `id ${vm.id}` : '', `${vm.os}/${vm.arch}`, vm.cpus ? `${vm.cpus} CPU` : '', vm.memoryMiB ? `${vm.memoryMiB} MiB` : '', vm.address ? `address ${vm.address}` : ''].filter(Boolean).join(', ')}`)
  if (vm.disks.length > 0) {
    out.push('')
    out.push(table(['DISK', 'FORMAT', 'SIZE', 'DATA', 'FILE', 'BACKING CHAIN'], vm.disks.map((d) => [d.target, d.format, formatBytes(d.virtualBytes), formatBytes(d.allocatedBytes), d.path, d.backingChain.join(' <- ') || '-'])))
  }
  if (vm.networks && vm.networks.length > 0) {
    out.push('')
    out.push(table(['NIC', 'TYPE', 'SOURCE', 'MAC', 'MODEL'], vm.networks.map((n, i) => [String(i), n.type, n.source ?? '-', n.mac ?? '-', n.model ?? '-'])))
  }
  return out.join('\n')
}

/** `ocvm inspect --driver <hypervisor>` without --vm: what is there. */
export function renderVmList(vms: VmSummary[], host: string, driver: string): string {
  if (vms.length === 0) return `No VMs on ${host} (${driver}).`
  return `${table(['VM', 'STATE'], vms.map((v) => [v.name, v.state]))}\n\nDetails: ocvm inspect --driver ${driver} --from ${host} --vm NAME`
}

export function renderVmExport(r: VmExportResult): string {
  const out: string[] = []
  out.push(r.dryRun ? `VM export plan (dry run: nothing will change) — driver ${r.driver}` : `Exported ${r.vm.name} to ${r.out} (${r.format === 'tar' ? 'sparse tar' : 'dir'})`)
  out.push(`  from  ${r.source}  ${r.vm.name} (${r.vm.state})`)
  out.push('')
  out.push(table(['DISK', 'FORMAT', 'SIZE', 'DATA', 'BACKING CHAIN'], r.vm.disks.map((d) => [d.target, d.format, formatBytes(d.virtualBytes), formatBytes(d.allocatedBytes), d.backingChain.join(' <- ') || '-'])))
  if (r.status === 'ok') {
    out.push('')
    out.push(`${r.files.length} file(s): ${formatBytes(r.bytes)} of disk, ${formatBytes(r.allocated)} of data, ${formatBytes(r.wireBytes)} on the wire, in ${r.seconds.toFixed(1)} s; SHA-256 of each in ocvm-vm.json.`)
  }
  out.push(...nextLines(r.nextSteps))
  return out.join('\n')
}

export function renderVmImport(r: VmImportResult): string {
  const out: string[] = []
  out.push(r.dryRun || r.status === 'planned' ? `VM import plan${r.dryRun ? ' (dry run: nothing will change)' : ''} — driver ${r.driver}` : `Imported ${r.name} on ${r.target}${r.started ? ' and started it' : ''}`)
  out.push(`  from  ${r.archive} (${r.source.vm}, exported from ${r.source.host})`)
  out.push(`  to    ${r.target}  ${r.name}`)
  out.push(`  ${r.files} file(s), ${formatBytes(r.bytes)} of disk, ${formatBytes(r.allocated)} of data; every SHA-256 checked before the VM is defined`)
  out.push(...nextLines(r.nextSteps))
  return out.join('\n')
}
