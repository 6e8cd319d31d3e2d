// Shared by the libvirt integration files: each test host's own libvirtd (test/infra/libvirt.sh),
// test domains booting the tiny guest with disks holding known bytes, what that guest prints on its
// serial console, and the hosts' libvirt dirs as the test process sees them (they are private to a
// host, and reachable here under the infra root).
import {createHash} from 'node:crypto'
import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {expect} from 'vitest'

import {infra, REPO_ROOT, run, shellQuote, sshCheck, sshExec, SRC} from '../infra/hosts.js'

export const VIRSH = 'virsh -c qemu:///system'
export const POOL = 'default'
export const MiB = 1024 * 1024

/** A host's libvirt dirs as seen from the test process (`lib` is its /var/lib/libvirt, `log` its /var/log/libvirt). */
export const lv = (host: string, ...parts: string[]) => path.join(infra().root, 'hosts', host, 'libvirt', ...parts)
/** A volume of the `default` pool on that host, seen from here. */
export const image = (host: string, file: string) => lv(host, 'lib/images', file)

export function virsh(host: string, args: string): Promise<string> {
  return sshCheck(host, `timeout 60 ${VIRSH} ${args}`)
}

/** `shut off`, `running`, ... or '' when the host has no domain of that name. */
export async function domstate(host: string, name: string): Promise<string> {
  const r = await sshExec(host, `timeout 60 ${VIRSH} domstate --domain ${shellQuote(name)}`)
  return r.exitCode === 0 ? r.stdout.trim() : ''
}

/** Starts each test host's own libvirtd (fresh state) and builds the tiny guest if needed. */
export async function libvirtUp(): Promise<void> {
  const up = await run('bash', [path.join(REPO_ROOT, 'test/infra/libvirt.sh'), 'up'], {timeoutMs: 240_000})
  if (up.exitCode !== 0) throw new Error(`libvirt.sh up failed:\n${up.stderr}`)
}

export async function libvirtDown(): Promise<void> {
  await run('bash', [path.join(REPO_ROOT, 'test/infra/libvirt.sh'), 'down'], {timeoutMs: 120_000})
}

/** Waits until the guest's console log on that host contains `needle` (since its last start); returns the log. */
export async function waitForConsole(host: string, consoleFile: string, needle: string, timeoutMs = 90_000): Promise<string> {
  const file = lv(host, 'log/qemu', consoleFile)
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    if (text.includes(needle)) return text
    await new Promise((r) => setTimeout(r, 250))
  }
  throw new Error(`${host}: "${needle}" never appeared in ${file}:\n${existsSync(file) ? readFileSync(file, 'utf8').slice(-2000) : '(no file)'}`)
}

/** [offset, length, fill]: a byte pattern, or 'random' (incompressible, so zstd cannot shrink it). */
export type Extent = [offset: number, length: number, fill: number | 'random']

/** What the guest prints for a disk: its first 16 bytes and the SHA-256 of its first 8 MiB (pattern extents only there). */
export function expectedConsoleLine(dev: string, extents: Extent[]): string {
  const head = Buffer.alloc(8 * MiB)
  for (const [offset, length, byte] of extents) if (typeof byte === 'number' && offset < head.length) head.fill(byte, offset, Math.min(head.length, offset + length))
  return `OCVM-GUEST: ${dev} ${head.subarray(0, 16).toString('hex')} ${createHash('sha256').update(head).digest('hex')}`
}

const esc = (s: string) => s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll("'", '&apos;').replaceAll('"', '&quot;')

/**
 * A TCG domain that boots the tiny guest (128 MiB, 1 vCPU), with its console in
 * /var/log/libvirt/qemu/<consoleFile> and the disk/NIC elements given. By default it has ACPI (so
 * `virsh shutdown` works) and a guest-agent channel; without ACPI the guest has no power button and
 * ignores `virsh shutdown`.
 */
export function guestDomainXml(name: string, consoleFile: string, devices: string[], options: {acpi?: boolean; agent?: boolean} = {}): string {
  const {acpi = true, agent = true} = options
  return `<domain type='qemu'>
  <name>${esc(name)}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>/var/lib/libvirt/boot/vmlinuz</kernel><initrd>/var/lib/libvirt/boot/initrd.gz</initrd><cmdline>console=ttyS0 quiet</cmdline></os>
${acpi ? '  <features><acpi/></features>\n' : ''}  <on_poweroff>destroy</on_poweroff>
  <devices>
${devices.map((d) => `    ${d}\n`).join('')}    <serial type='file'><source path='/var/log/libvirt/qemu/${esc(consoleFile)}'/><target port='0'/></serial>
${agent ? "    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n" : ''}  </devices>
</domain>
`
}

export const QCOW2_DATA: Extent[] = [
  [0, 4 * MiB, 0xab],
  [512 * MiB, 8 * MiB, 0xcd],
  [1020 * MiB, 4 * MiB, 0xef],
]
export const RAW_DATA: Extent[] = [[0, 1 * MiB, 0x5a]]

export interface DomainSpec {
  qcow2?: {capacity: string; data: Extent[]}
  raw?: {capacity: string; data: Extent[]}
  /** Without ACPI the guest has no power button: it ignores `virsh shutdown`. */
  acpi?: boolean
  /** The QEMU guest agent channel (ocvm reaches the guest through it). */
  agent?: boolean
}

export interface TestDomain {
  name: string
  qcow2: string
  raw: string
  console: string
}

const DEFAULT_SPEC: Required<DomainSpec> = {qcow2: {capacity: '1G', data: QCOW2_DATA}, raw: {capacity: '64M', data: RAW_DATA}, acpi: true, agent: true}

/** Writes the extents into a volume file with qemu-io (random ones from a scratch file of random bytes). */
async function fill(file: string, format: string, data: Extent[]): Promise<void> {
  const scratch = `${file}.random`
  const biggest = Math.max(0, ...data.filter((e) => e.at(2) === 'random').map((e) => e[1]))
  if (biggest > 0) expect((await run('sh', ['-c', 'head -c "$1" /dev/urandom >"$2"', 'sh', String(biggest), scratch])).exitCode).toBe(0)
  const cmds = data.flatMap(([o, l, b]) => ['-c', b === 'random' ? `write -s ${scratch} ${o} ${l}` : `write -P 0x${b.toString(16)} ${o} ${l}`])
  const r = await run('qemu-io', ['-f', format, ...cmds, file])
  await run('rm', ['-f', scratch])
  expect(r.exitCode, r.stderr).toBe(0)
}

/** Defines a domain on SRC with a sparse qcow2 disk (vda) and a sparse raw disk (vdb). */
export async function createDomain(name: string, stem: string, spec: DomainSpec = {}): Promise<TestDomain> {
  const s = {...DEFAULT_SPEC, ...spec}
  const d = {name, qcow2: `${stem}.qcow2`, raw: `${stem}-data.raw`, console: `${stem}-console.log`}
  await virsh(SRC, `vol-create-as --pool ${POOL} --name ${d.qcow2} --capacity ${s.qcow2.capacity} --allocation 0 --format qcow2`)
  await virsh(SRC, `vol-create-as --pool ${POOL} --name ${d.raw} --capacity ${s.raw.capacity} --allocation 0 --format raw`)
  await fill(image(SRC, d.qcow2), 'qcow2', s.qcow2.data)
  await fill(image(SRC, d.raw), 'raw', s.raw.data)
  const xml = guestDomainXml(name, d.console, [
    `<disk type='volume' device='disk'><driver name='qemu' type='qcow2'/><source pool='${POOL}' volume='${d.qcow2}'/><target dev='vda' bus='virtio'/></disk>`,
    `<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='/var/lib/libvirt/images/${d.raw}'/><target dev='vdb' bus='virtio'/></disk>`,
  ], {acpi: s.acpi, agent: s.agent})
  writeFileSync(lv(SRC, 'lib', `${stem}.xml`), xml)
  await virsh(SRC, `define --file /var/lib/libvirt/${stem}.xml`)
  return d
}

/**
 * Waits until the guest's agent answers: the tiny guest starts it after its ACPI power button
 * handler, so the guest then also obeys `virsh shutdown`. (Its console file is no signal for a
 * later boot: QEMU truncates it on every start.)
 */
export async function waitUntilReady(host: string, name: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const r = await sshExec(host, `timeout 15 ${VIRSH} qemu-agent-command --domain ${shellQuote(name)} --timeout 5 '{"execute":"guest-ping"}'`)
    if (r.exitCode === 0 && r.stdout.includes('"return"')) return
    await new Promise((r) => setTimeout(r, 500))
  }
  throw new Error(`${host}: the guest agent of ${name} did not answer within ${timeoutMs / 1000} s`)
}

/** Starts a domain on a host and waits until its guest is ready (answers ACPI and its agent). */
export async function startAndWait(host: string, d: TestDomain): Promise<void> {
  await virsh(host, `start --domain ${shellQuote(d.name)}`)
  await waitUntilReady(host, d.name)
}

/** `qemu-img compare` of a volume on two hosts: true when the guest would read the same bytes. */
export async function sameImage(file: string, a: string, b: string): Promise<boolean> {
  const cmp = await run('qemu-img', ['compare', '-U', image(a, file), image(b, file)])
  return cmp.exitCode === 0 && (cmp.stdout + cmp.stderr).includes('Images are identical')
}
