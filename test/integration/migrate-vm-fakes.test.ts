// `ocvm migrate --driver lume|parallels|multipass` end to end between two namespace hosts, with the
// FAKE hypervisor CLIs (test/fakes/) on their PATH. Each host plays the Mac/Linux box running the
// hypervisor as user alice; the "guest" of a running fake VM is the host itself (its IP), reached
// by ocvm over ssh (lume, parallels) or through `multipass exec` (multipass).
import {createHash} from 'node:crypto'
import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, hostIp, resetHosts, runOcvm, sshCheck, sshExec, SRC} from '../infra/hosts.js'
import {actAsAppleSilicon, installFake, removeFakes} from './fake-hypervisors.js'

beforeAll(resetHosts)
afterAll(removeFakes)

const RUNS = mkdtempSync(path.join(tmpdir(), 'ocvm-it-vm-runs-'))
const env = {OCVM_RUNS_DIR: RUNS}
const FROM = `alice@${SRC}`
const TO = `alice@${DST}`

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const allocated = (file: string) => statSync(file).blocks * 512

/** A real OpenClaw deployment of alice's on ocvm-src (the fakes' source guest), with a memory file holding `marker`. */
async function seedGuestDeployment(marker: string): Promise<void> {
  await sshCheck(SRC, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1', {user: 'alice', timeoutMs: 120_000})
  const mem = hostFsPath(SRC, '/home/alice/.openclaw/workspace/memory')
  mkdirSync(mem, {recursive: true})
  writeFileSync(path.join(mem, '2026-11-24.md'), `# Notes\n\n${marker}\n`)
  await sshCheck(SRC, 'chown -R alice: /home/alice/.openclaw')
}

/** Writes `text` at `offset` inside a (sparse) file on a host, as alice, without truncating it. */
async function writeAt(host: string, file: string, offset: number, text: string): Promise<void> {
  await sshCheck(host, `printf %s '${text}' | dd of=${file} bs=1 seek=${offset} conv=notrunc status=none`, {user: 'alice'})
}

interface HookRun {
  host: string
  status: string
  hooks: Array<{id: string; status: string}>
}

interface ImageResult {
  status: string
  hooks?: HookRun
  warnings?: string[]
  mode: string
  modeReason: string
  steps: Array<{name: string; status: string; detail?: string}>
  imported?: {name: string; id?: string}
  guest?: {label: string; system?: string}
  transfer?: {bytes: number; allocated: number}
}

describe('migrate --driver lume (fake lume)', () => {
  const disk = (host: string) => hostFsPath(host, '/home/alice/.lume/openclaw-vm/disk.img')

  beforeAll(async () => {
    for (const h of [SRC, DST]) {
      installFake(h, 'lume')
      actAsAppleSilicon(h)
    }
    await sshCheck(SRC, 'lume create openclaw-vm --os linux --cpu 2 --memory 2GB --disk-size 512MB', {user: 'alice'})
    await writeAt(SRC, '$HOME/.lume/openclaw-vm/disk.img', 4096, 'boot sector')
    await writeAt(SRC, '$HOME/.lume/openclaw-vm/disk.img', 300 * 1024 * 1024, 'openclaw state in the guest disk')
    await sshCheck(SRC, 'lume run openclaw-vm --no-display --detach', {user: 'alice'})
    // What the guest's disk holds: an OpenClaw deployment of alice, played by ocvm-dst's (the target guest).
    await sshCheck(DST, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1 && openclaw config set gateway.bind loopback >/dev/null', {user: 'alice', timeoutMs: 120_000})
  })
  // The multipass guest below is ocvm-dst's alice too: it must start without this deployment.
  afterAll(() => rmSync(hostFsPath(DST, '/home/alice/.openclaw'), {recursive: true, force: true}))

  it('--dry-run plans an image move and changes nothing', async () => {
    const r = await runOcvm(['migrate', '--driver', 'lume', '--vm', 'openclaw-vm', '--from', FROM, '--to', TO, '--dry-run', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({status: 'planned', mode: 'image', source: {vm: {name: 'openclaw-vm', state: 'running', arch: 'arm64', cpus: 2, memoryMiB: 2048}}})
    expect((await sshCheck(SRC, 'lume get openclaw-vm -f json', {user: 'alice'})).includes('"running"')).toBe(true)
    expect((await sshExec(DST, 'lume get openclaw-vm -f json', {user: 'alice'})).exitCode).toBe(1)
  })

  it('moves the stopped VM dir sparse and byte-exact, starts it on the target and reaches its guest over ssh', async () => {
    const before = sha(disk(SRC))
    const r = await runOcvm(['migrate', '--driver', 'lume', '--vm', 'openclaw-vm', '--from', FROM, '--to', TO, '--user', 'alice', '--hooks', 'ocvm/path-rewrite,ocvm/permissions,ocvm/networking', '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const result = r.json as ImageResult
    expect(result.status).toBe('ok')
    expect(result.steps.map((s) => [s.name, s.status])).toEqual(['preflight', 'stop', 'export', 'transfer', 'verify', 'import', 'start', 'guest', 'hooks', 'report'].map((n) => [n, n === 'report' ? expect.any(String) : 'done']))
    expect(result.guest?.label).toBe(`ssh://${hostIp(DST)}`)
    expect(result.guest?.system).toMatch(/^Linux /)
    // The post-migrate hooks ran inside the guest, over ssh to the address lume reported.
    expect(result.hooks).toMatchObject({host: `ssh://${hostIp(DST)}`, status: 'ok'})
    expect(result.hooks?.hooks.map((h) => h.id)).toEqual(['ocvm/path-rewrite', 'ocvm/permissions', 'ocvm/networking'])
    expect(statSync(hostFsPath(DST, '/home/alice')).mode & 0o777).toBe(0o700)
    // Holes stayed holes: far less than the 512 MiB apparent size went over the wire and landed.
    expect(result.transfer?.allocated).toBeLessThan(64 * 1024 * 1024)
    expect(sha(disk(DST))).toBe(before)
    expect(allocated(disk(DST))).toBeLessThan(64 * 1024 * 1024)
    for (const f of ['config.json', 'nvram.bin']) expect(sha(path.join(path.dirname(disk(DST)), f))).toBe(sha(path.join(path.dirname(disk(SRC)), f)))
    const onTarget = JSON.parse((await sshCheck(DST, 'LUME_LOG_LEVEL=error lume get openclaw-vm -f json', {user: 'alice'}))) as Array<{status: string; ipAddress: string}>
    expect(onTarget[0]).toMatchObject({status: 'running', ipAddress: hostIp(DST)})
    // The source is kept, stopped, unchanged.
    const onSource = JSON.parse((await sshCheck(SRC, 'LUME_LOG_LEVEL=error lume get openclaw-vm -f json', {user: 'alice'}))) as Array<{status: string}>
    expect(onSource[0]?.status).toBe('stopped')
    expect(sha(disk(SRC))).toBe(before)
  })

  it('--driver-opt storage=DIR puts the VM into another storage location, registered with `lume config storage add`', async () => {
    const r = await runOcvm(['migrate', '--driver', 'lume', '--vm', 'openclaw-vm', '--target-name', 'openclaw-vm-ssd', '--from', FROM, '--to', TO, '--driver-opt', 'storage=/home/alice/VMs', '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(sha(hostFsPath(DST, '/home/alice/VMs/openclaw-vm-ssd/disk.img'))).toBe(sha(disk(SRC)))
    expect(await sshCheck(DST, 'lume config storage list', {user: 'alice'})).toMatch(/^ocvm-[0-9a-f]{8}: \/home\/alice\/VMs$/m)
    const listed = JSON.parse(await sshCheck(DST, 'LUME_LOG_LEVEL=error lume ls -f json', {user: 'alice'})) as Array<{name: string; locationName: string}>
    expect(listed.map((v) => v.name).sort()).toEqual(['openclaw-vm', 'openclaw-vm-ssd'])
  })

  it('--driver-opt registry=REF moves the VM through an OCI registry (lume push/pull), credentials from the secrets input only', async () => {
    const registry = mkdtempSync(path.join(tmpdir(), 'ocvm-it-registry-'))
    chmodSync(registry, 0o777)
    for (const h of [SRC, DST]) installFake(h, 'lume', {OCVM_FAKE_LUME_REGISTRY: registry})
    const token = 'ghp_it-registry-token-5f2c'
    const secrets = path.join(RUNS, 'registry.env')
    writeFileSync(secrets, `GITHUB_USERNAME=ci-bot\nGITHUB_TOKEN=${token}\n`, {mode: 0o600})
    const args = ['migrate', '--driver', 'lume', '--vm', 'openclaw-vm', '--target-name', 'openclaw-vm-reg', '--from', FROM, '--to', TO, '--driver-opt', 'registry=registry.test:5000/acme/openclaw-vm:moved', '--skip-hooks', '--yes', '--json']
    try {
      // Without credentials lume refuses to push: a clear error, nothing on the target.
      const denied = await runOcvm(args.filter((a) => a !== '--json'), {env})
      expect(denied.exitCode).toBe(1)
      expect(denied.stderr).toMatch(/^Error: lume on ssh:\/\/alice@ocvm-src has no registry credentials/m)
      expect((await sshExec(DST, 'lume get openclaw-vm-reg -f json', {user: 'alice'})).exitCode).toBe(1)
      const runId = /migrate --rollback (\S+?)`/.exec(denied.stderr)?.[1] ?? ''
      const rolledBack = await runOcvm(['migrate', '--rollback', runId, '--yes', '--json'], {env})
      expect(rolledBack.exitCode, rolledBack.stderr).toBe(0)

      const r = await runOcvm([...args, '--secrets-file', secrets], {env, timeoutMs: 300_000})
      expect(r.exitCode, r.stderr).toBe(0)
      const result = r.json as ImageResult
      expect(result.steps.map((s) => s.name)).toEqual(['preflight', 'stop', 'push', 'pull', 'start', 'guest', 'hooks', 'report'])
      expect(sha(hostFsPath(DST, '/home/alice/.lume/openclaw-vm-reg/disk.img'))).toBe(sha(disk(SRC)))
      expect(`${r.stdout}${r.stderr}${denied.stdout}${denied.stderr}`).not.toContain(token)
    } finally {
      for (const h of [SRC, DST]) installFake(h, 'lume')
    }
  })

  it('never overwrites: a second run to the same target is refused before anything moves', async () => {
    const r = await runOcvm(['migrate', '--driver', 'lume', '--vm', 'openclaw-vm', '--from', FROM, '--to', TO, '--yes', '--json'], {env})
    expect(r.exitCode).not.toBe(0)
    expect(`${r.stdout}${r.stderr}`).toMatch(/already exists on ssh:\/\/alice@ocvm-dst/)
  })

  it('an unknown VM is a clear error with a hint', async () => {
    const r = await runOcvm(['migrate', '--driver', 'lume', '--vm', 'nope', '--from', FROM, '--to', TO, '--dry-run'], {env})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/lume has no VM named "nope" on ssh:\/\/alice@ocvm-src/)
    expect(r.stderr).toMatch(/lume ls/)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('migrate --driver lume to a Linux host without lume: the state moves out of the guest', () => {
  const MARKER = 'The lume guest remembers osprey-2291.'

  beforeAll(async () => {
    removeFakes()
    // Only the source plays a Mac with lume; ocvm-dst is a plain Linux server.
    installFake(SRC, 'lume')
    actAsAppleSilicon(SRC)
    await sshExec(SRC, 'lume delete lume-oc --force', {user: 'alice'})
    await sshCheck(SRC, 'lume create lume-oc --os macOS --cpu 2 --memory 2GB --disk-size 256MB && lume run lume-oc --no-display --detach', {user: 'alice'})
    // The deployment inside the source guest (the fake's guest is ocvm-src itself, reached as root over ssh).
    await seedGuestDeployment(MARKER)
  })

  const args = ['migrate', '--driver', 'lume', '--vm', 'lume-oc', '--from', FROM, '--to', `root@${DST}`, '--user', 'alice', '--target-user', 'bob']

  it('the plan says why: no lume on the target, so the OpenClaw state moves out of the guest', async () => {
    const r = await runOcvm([...args, '--dry-run', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({status: 'planned', mode: 'state', target: {kind: 'host'}, modeReason: expect.stringMatching(/lume is not on ssh:\/\/root@ocvm-dst, so it is a bare host: moving the OpenClaw state out of the guest/)})
    expect((r.json as ImageResult).steps.map((s) => s.name)).toEqual(['preflight', 'state', 'hooks', 'report'])
  })

  it('moves the state from inside the guest to bob on the Linux host, then runs the hooks there', async () => {
    const r = await runOcvm([...args, '--hooks', 'ocvm/path-rewrite,ocvm/permissions,ocvm/memory-index', '--yes', '--json'], {env, timeoutMs: 400_000})
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const result = r.json as ImageResult
    expect(result).toMatchObject({status: 'ok', mode: 'state'})
    expect(result.hooks).toMatchObject({host: `ssh://root@${DST}`, status: 'ok'})
    expect(Object.fromEntries(result.hooks?.hooks.map((h) => [h.id, h.status]) ?? [])).toMatchObject({'ocvm/permissions': 'changed', 'ocvm/memory-index': 'changed'})
    expect(readFileSync(hostFsPath(DST, '/home/bob/.openclaw/workspace/memory/2026-11-24.md'), 'utf8')).toContain(MARKER)
    // The real openclaw accepts the result as bob, and the index the hook built finds the memory.
    await sshCheck(DST, 'cd ~ && openclaw config validate --json >/dev/null', {user: 'bob', timeoutMs: 120_000})
    expect(await sshCheck(DST, 'cd ~ && openclaw memory search --agent main osprey-2291 2>&1', {user: 'bob', timeoutMs: 120_000})).toContain('osprey-2291')
    expect(readFileSync(hostFsPath(DST, '/home/bob/.openclaw/openclaw.json'), 'utf8')).not.toContain('/home/alice')
  })
})

describe('migrate --driver parallels (fake prlctl)', () => {
  beforeAll(async () => {
    removeFakes()
    for (const h of [SRC, DST]) {
      installFake(h, 'prlctl')
      installFake(h, 'prlsrvctl')
    }
    await sshCheck(SRC, 'prlctl create openclaw-pd -o ubuntu && prlctl set openclaw-pd --cpus 3 --memsize 3072', {user: 'alice'})
    const hds = (await sshCheck(SRC, 'ls ~/Parallels/openclaw-pd.pvm/harddisk.hdd/*.hds', {user: 'alice'})).trim()
    await writeAt(SRC, hds, 8192, 'guest data on the parallels disk')
    await sshCheck(SRC, 'prlctl start openclaw-pd', {user: 'alice'})
    // The target guest (ocvm-dst's alice) holds a deployment for the hooks to find; its home starts world-readable.
    await sshCheck(DST, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1 && openclaw config set gateway.bind loopback >/dev/null && chmod 755 ~', {user: 'alice', timeoutMs: 120_000})
  })
  afterAll(() => rmSync(hostFsPath(DST, '/home/alice/.openclaw'), {recursive: true, force: true}))

  it('refuses clearly when a host has no Pro licence, and changes nothing', async () => {
    for (const h of [SRC, DST]) {
      installFake(h, 'prlctl', {OCVM_FAKE_PRL_EDITION: 'standard'})
      installFake(h, 'prlsrvctl', {OCVM_FAKE_PRL_EDITION: 'standard'})
    }
    try {
      // On the source, nothing can be read.
      const r = await runOcvm(['migrate', '--driver', 'parallels', '--vm', 'openclaw-pd', '--from', FROM, '--to', TO, '--yes'], {env})
      expect(r.exitCode).toBe(1)
      expect(r.stderr).toMatch(/"standard" edition of Parallels Desktop has no command-line interface/)
      expect(r.stderr).toMatch(/Pro or Business/)
      // On the target only: an image move is impossible, and says why.
      installFake(SRC, 'prlctl')
      installFake(SRC, 'prlsrvctl')
      const t = await runOcvm(['migrate', '--driver', 'parallels', '--vm', 'openclaw-pd', '--from', FROM, '--to', TO, '--mode', 'image', '--yes'], {env})
      expect(t.exitCode).toBe(1)
      expect(t.stderr).toMatch(/cannot move the image: the parallels driver cannot work on ssh:\/\/alice@ocvm-dst.*"standard" edition/)
      // Without --mode: an installed but unlicensed Parallels is an error to fix, never mistaken for a bare host.
      const auto = await runOcvm(['migrate', '--driver', 'parallels', '--vm', 'openclaw-pd', '--from', FROM, '--to', TO, '--yes'], {env})
      expect(auto.exitCode).toBe(1)
      expect(auto.stderr).toMatch(/the parallels driver cannot work on ssh:\/\/alice@ocvm-dst.*"standard" edition/)
      expect(await sshCheck(SRC, 'prlctl list -a -j', {user: 'alice'})).toMatch(/"status": "running"/)
    } finally {
      for (const h of [SRC, DST]) {
        installFake(h, 'prlctl')
        installFake(h, 'prlsrvctl')
      }
    }
  })

  it('moves the bundle, registers it under a new UUID, starts it, reaches the guest and runs the hooks there', async () => {
    const r = await runOcvm(['migrate', '--driver', 'parallels', '--vm', 'openclaw-pd', '--from', FROM, '--to', TO, '--user', 'alice', '--hooks', 'ocvm/permissions,ocvm/networking', '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const result = r.json as ImageResult
    expect(result).toMatchObject({status: 'ok', mode: 'image', imported: {name: 'openclaw-pd'}})
    expect(result.guest?.label).toBe(`ssh://${hostIp(DST)}`)
    // The hooks ran inside the guest, over ssh to the address prlctl reported: the permissions hook closed alice's home.
    expect(result.hooks).toMatchObject({host: `ssh://${hostIp(DST)}`, status: 'ok'})
    expect(result.hooks?.hooks.map((h) => [h.id, h.status])).toEqual([['ocvm/permissions', 'changed'], ['ocvm/networking', expect.stringMatching(/^(unchanged|changed|not-applicable)$/)]])
    expect(statSync(hostFsPath(DST, '/home/alice')).mode & 0o777).toBe(0o700)
    const src = JSON.parse(await sshCheck(SRC, 'prlctl list -i -j openclaw-pd', {user: 'alice'})) as Array<{ID: string; State: string}>
    const dst = JSON.parse(await sshCheck(DST, 'prlctl list -i -j openclaw-pd', {user: 'alice'})) as Array<{ID: string; State: string; Home: string; Hardware: {cpu: {cpus: number}}}>
    expect(src[0]?.State).toBe('stopped')
    expect(dst[0]).toMatchObject({State: 'running', Home: '/home/alice/Parallels/openclaw-pd.pvm/', Hardware: {cpu: {cpus: 3}}})
    expect(dst[0]?.ID).not.toBe(src[0]?.ID)
    expect(result.imported?.id).toBe(dst[0]?.ID)
    const hds = (await sshCheck(SRC, 'cd ~/Parallels/openclaw-pd.pvm/harddisk.hdd && ls *.hds', {user: 'alice'})).trim()
    const rel = `/home/alice/Parallels/openclaw-pd.pvm/harddisk.hdd/${hds}`
    expect(sha(hostFsPath(DST, rel))).toBe(sha(hostFsPath(SRC, rel)))
  })
})

describe('migrate --driver multipass (fake multipass): a state move into a fresh instance', () => {
  const MARKER = 'The multipass guest remembers kestrel-4471.'

  beforeAll(async () => {
    removeFakes()
    for (const h of [SRC, DST]) installFake(h, 'multipass')
    await sshCheck(SRC, 'multipass launch 22.04 --name openclaw-mp --cpus 2 --memory 2G --disk 8G', {user: 'alice'})
    // The OpenClaw deployment inside the source "guest" (the fake's guest is the host, as alice).
    await seedGuestDeployment(MARKER)
  })

  it('the plan says it is a state move, not an image move', async () => {
    const r = await runOcvm(['migrate', '--driver', 'multipass', '--vm', 'openclaw-mp', '--from', FROM, '--to', TO, '--dry-run', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.json).toMatchObject({status: 'planned', mode: 'state', modeReason: expect.stringMatching(/multipass has no image export: moving the OpenClaw state into a new VM/)})
    const human = await runOcvm(['migrate', '--driver', 'multipass', '--vm', 'openclaw-mp', '--from', FROM, '--to', TO, '--dry-run'], {env})
    expect(`${human.stdout}${human.stderr}`).toMatch(/state/i)
    expect((await sshExec(DST, 'multipass info openclaw-mp --format json', {user: 'alice'})).exitCode).toBe(2)
  })

  it('launches a like-shaped instance on the target and moves the OpenClaw state into it through multipass exec', async () => {
    const r = await runOcvm(['migrate', '--driver', 'multipass', '--vm', 'openclaw-mp', '--from', FROM, '--to', TO, '--hooks', 'ocvm/path-rewrite,ocvm/permissions,ocvm/memory-index', '--yes', '--json'], {env, timeoutMs: 400_000})
    expect(r.exitCode, r.stdout + r.stderr).toBe(0)
    const result = r.json as ImageResult
    expect(result).toMatchObject({status: 'ok', mode: 'state'})
    expect(result.steps.map((s) => s.name)).toEqual(['preflight', 'provision', 'state', 'guest', 'hooks', 'report'])
    // The hooks ran inside the new instance, through multipass exec: its index finds the moved memory.
    expect(result.hooks).toMatchObject({host: `guest:multipass/openclaw-mp@ssh://alice@${DST}`, status: 'ok'})
    expect(await sshCheck(DST, 'cd ~ && openclaw memory search --agent main kestrel-4471 2>&1', {user: 'alice', timeoutMs: 120_000})).toContain('kestrel-4471')
    expect(result.guest?.label).toBe(`guest:multipass/openclaw-mp@ssh://alice@${DST}`)
    const info = JSON.parse(await sshCheck(DST, 'multipass info openclaw-mp --format json', {user: 'alice'})) as {info: Record<string, {cpu_count: string; image_release: string; state: string}>}
    expect(info.info['openclaw-mp']).toMatchObject({cpu_count: '2', image_release: '22.04 LTS', state: 'Running'})
    expect(readFileSync(hostFsPath(DST, '/home/alice/.openclaw/workspace/memory/2026-11-24.md'), 'utf8')).toContain(MARKER)
    // The real openclaw accepts the moved config inside the target "guest".
    await sshCheck(DST, 'openclaw config validate --json >/dev/null', {user: 'alice', timeoutMs: 120_000})
  })
})
