// The libvirt driver end to end against real libvirt 9 + QEMU (TCG): each test host runs its own
// libvirtd (test/infra/libvirt.sh, started here so other integration files do not pay for it), and
// the tiny guest prints what it reads from its disks on its serial console.
import {createHash} from 'node:crypto'
import {createReadStream, existsSync, readFileSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, infra, REPO_ROOT, resetHosts, run, runOcvm, shellQuote, sshExec, SRC} from '../infra/hosts.js'
import {createDomain, domstate, expectedConsoleLine, image, libvirtDown, libvirtUp, lv, MiB, POOL, QCOW2_DATA, RAW_DATA, virsh, VIRSH, waitForConsole} from './libvirt-guest.js'

// libvirt names cannot contain '/': the payload touches a relative path (ssh sessions start in /root).
const PWNED_FILE = 'ocvm-libvirt-pwned'
const PWNED = ['/root', REPO_ROOT].map((dir) => path.join(dir, PWNED_FILE))

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

describe('libvirt driver on real libvirt + QEMU', () => {
  beforeAll(async () => {
    await resetHosts()
    for (const f of PWNED) rmSync(f, {force: true})
    await libvirtUp()
  })

  afterAll(libvirtDown)

  it('cold-migrates a domain with a hostile name: sparse, verified, defined and booted on the target, source kept', async () => {
    const name = `o'c "vm" $(touch ${PWNED_FILE}); x`
    const d = await createDomain(name, 'cold1')
    await virsh(SRC, `start --domain ${shellQuote(name)}`)
    // Started by libvirtd at boot: the cutover must turn that off on the source, and on for the moved one.
    await virsh(SRC, `autostart --domain ${shellQuote(name)}`)
    await waitForConsole(SRC, d.console, 'OCVM-GUEST: ready')
    const srcDiskHash = {qcow2: await sha256File(image(SRC, d.qcow2)), raw: await sha256File(image(SRC, d.raw))}

    const result = await runOcvm(['migrate', '--driver', 'libvirt', '--vm', name, '--from', 'root@10.250.0.2', '--to', 'root@10.250.0.3', '--target-pool', POOL, '--stop-timeout', '60', '--yes', '--json'], {timeoutMs: 300_000})
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out).toMatchObject({status: 'ok', driver: 'libvirt', mode: 'image'})
    // Moved ≈ what is allocated (16 + 1 MiB of data, plus qcow2 metadata), not the 1 GiB + 64 MiB virtual size.
    expect(out.transfer.allocated).toBeLessThan(24 * MiB)
    expect(out.transfer.wireBytes).toBeLessThan(24 * MiB)
    expect(out.guest.system).toMatch(/Linux x86_64/)
    // Staged beside the pool's dir, on its mount (/var/tmp is another one here), so the import
    // could link each verified image into the pool; nothing of it is left.
    expect(out.target.stagingDir).toBe(`/var/lib/libvirt/ocvm-staging-${out.runId}`)
    expect(existsSync(lv(DST, 'lib', `ocvm-staging-${out.runId}`))).toBe(false)

    // Defined and running on the target, reading the same bytes (the guest's own console says so).
    expect(await domstate(DST, name)).toBe('running')
    const consoleText = await waitForConsole(DST, d.console, 'OCVM-GUEST: ready')
    expect(consoleText).toContain(expectedConsoleLine('vda', QCOW2_DATA))
    expect(consoleText).toContain(expectedConsoleLine('vdb', RAW_DATA))
    for (const file of [d.qcow2, d.raw]) {
      const cmp = await run('qemu-img', ['compare', '-U', image(SRC, file), image(DST, file)])
      expect(cmp.stdout + cmp.stderr).toContain('Images are identical')
      // Sparse on the target too: allocation within a few percent of the source's.
      const [src, dst] = [statSync(image(SRC, file)).blocks * 512, statSync(image(DST, file)).blocks * 512]
      expect(dst).toBeLessThanOrEqual(src * 1.05 + MiB)
    }
    expect(statSync(image(DST, d.qcow2)).blocks * 512).toBeLessThan(24 * MiB)

    // The source keeps its domain, shut off, disks untouched; nothing in the name ran as code.
    expect(await domstate(SRC, name)).toBe('shut off')
    expect(await virsh(SRC, `dominfo --domain ${shellQuote(name)}`)).toMatch(/^Autostart:\s+disable$/m)
    expect(await virsh(DST, `dominfo --domain ${shellQuote(name)}`)).toMatch(/^Autostart:\s+enable$/m)
    expect(out.steps.find((s: {name: string}) => s.name === 'stop').detail).toMatch(/autostart at boot turned off on the source/)
    expect(await sha256File(image(SRC, d.qcow2))).toBe(srcDiskHash.qcow2)
    expect(await sha256File(image(SRC, d.raw))).toBe(srcDiskHash.raw)
    for (const f of PWNED) expect(existsSync(f)).toBe(false)

    // A second move of the same name is refused, and creates nothing on the target.
    const volsBefore = await virsh(DST, `vol-list --pool ${POOL}`)
    const again = await runOcvm(['migrate', '--driver', 'libvirt', '--vm', name, '--from', 'root@10.250.0.2', '--to', 'root@10.250.0.3', '--target-pool', POOL, '--yes', '--json'], {timeoutMs: 120_000})
    expect(JSON.parse(again.stdout).error.code, again.stdout).toMatch(/exists/)
    expect(again.exitCode).toBe(1)
    expect(await virsh(DST, `vol-list --pool ${POOL}`)).toBe(volsBefore)
    expect(await domstate(SRC, name)).toBe('shut off')
  })

  it('refuses a missing pool and an unknown domain with clear errors', async () => {
    const d = await createDomain('cold2', 'cold2')
    const noPool = await runOcvm(['migrate', '--driver', 'libvirt', '--vm', d.name, '--from', 'root@10.250.0.2', '--to', 'root@10.250.0.3', '--target-pool', 'nosuch', '--yes', '--json'], {timeoutMs: 120_000})
    const failed = JSON.parse(noPool.stdout).error
    expect(failed, noPool.stdout).toMatchObject({code: 'pool-not-found'})
    expect(noPool.exitCode).toBe(1)
    // Refused in preflight: no run, nothing staged, nothing defined.
    expect(failed.runId).toBeUndefined()
    expect((await sshExec(DST, `${VIRSH} dominfo --domain cold2`)).exitCode).not.toBe(0)

    const unknown = await runOcvm(['migrate', '--driver', 'libvirt', '--vm', 'nosuch', '--from', 'root@10.250.0.2', '--to', 'root@10.250.0.3', '--target-pool', POOL, '--yes', '--json'], {timeoutMs: 120_000})
    expect(JSON.parse(unknown.stdout).error, unknown.stdout).toMatchObject({code: 'vm-not-found'})
    expect(unknown.exitCode).toBe(1)
  })

  it('--live moves a running domain with its storage; the guest keeps running on the target', async () => {
    const d = await createDomain('live1', 'live1')
    await virsh(SRC, 'start --domain live1')
    await waitForConsole(SRC, d.console, 'OCVM-GUEST: ready')
    const targetConnect = `qemu+ssh://root@10.250.0.3/system?command=${infra().sshWrap}`
    const result = await runOcvm(['migrate', '--driver', 'libvirt', '--vm', 'live1', '--live', '--from', 'root@10.250.0.2', '--to', 'root@10.250.0.3', '--target-pool', POOL, '--target-connect', targetConnect, '--yes', '--json'], {timeoutMs: 300_000})
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0)
    const out = JSON.parse(result.stdout)
    expect(out).toMatchObject({status: 'ok', mode: 'live'})
    expect(out.guest.system).toMatch(/Linux x86_64/)
    expect(await domstate(DST, 'live1')).toBe('running')
    // --undefinesource: gone from the source (its disk files stay there).
    expect((await sshExec(SRC, `${VIRSH} dominfo --domain live1`)).exitCode).not.toBe(0)
    for (const file of [d.qcow2, d.raw]) {
      const cmp = await run('qemu-img', ['compare', '-U', image(SRC, file), image(DST, file)])
      expect(cmp.stdout + cmp.stderr).toContain('Images are identical')
    }
    // The same guest, not a reboot: it never printed a second "up" on the target's console.
    expect(existsSync(lv(DST, 'log/qemu', d.console)) ? readFileSync(lv(DST, 'log/qemu', d.console), 'utf8') : '').not.toContain('OCVM-GUEST: up')
  })
})
