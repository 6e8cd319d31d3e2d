// Shared by the libvirt integration files: a test host's libvirt dirs as the test process sees
// them, and what the tiny guest (test/infra/libvirt.sh) prints on its serial console.
import {createHash} from 'node:crypto'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'

import {infra} from '../infra/hosts.js'

const MiB = 1024 * 1024

/** A host's libvirt dirs as seen from the test process (`lib` is its /var/lib/libvirt, `log` its /var/log/libvirt). */
export const lv = (host: string, ...parts: string[]) => path.join(infra().root, 'hosts', host, 'libvirt', ...parts)

/** What the guest prints for a disk: its first 16 bytes and the SHA-256 of its first 8 MiB. */
export function expectedConsoleLine(dev: string, extents: Array<[offset: number, length: number, byte: number]>): string {
  const head = Buffer.alloc(8 * MiB)
  for (const [offset, length, byte] of extents) if (offset < head.length) head.fill(byte, offset, Math.min(head.length, offset + length))
  return `OCVM-GUEST: ${dev} ${head.subarray(0, 16).toString('hex')} ${createHash('sha256').update(head).digest('hex')}`
}

/** Waits until the guest's console log on that host contains `needle`; returns the log. */
export async function waitForConsole(host: string, consoleFile: string, needle: string, timeoutMs = 90_000): Promise<string> {
  const file = lv(host, 'log/qemu', consoleFile)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    if (text.includes(needle)) return text
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${host}: "${needle}" never appeared in ${file}:\n${existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '(no file)'}`)
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll("'", '&apos;').replaceAll('"', '&quot;')

/**
 * A TCG domain that boots the tiny guest (128 MiB, 1 vCPU, ACPI so `virsh shutdown` works), with
 * its console in /var/log/libvirt/qemu/<consoleFile>, a guest-agent channel, and the disk/NIC
 * elements given.
 */
export function guestDomainXml(name: string, consoleFile: string, devices: string[]): string {
  return `<domain type='qemu'>
  <name>${esc(name)}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>/var/lib/libvirt/boot/vmlinuz</kernel><initrd>/var/lib/libvirt/boot/initrd.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
${devices.map((d) => `    ${d}\n`).join('')}    <serial type='file'><source path='/var/log/libvirt/qemu/${esc(consoleFile)}'/><target port='0'/></serial>
    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>
  </devices>
</domain>
`
}
