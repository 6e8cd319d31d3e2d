// The target's disk fills up in the middle of a migration and of an import. /home/bob on ocvm-dst
// becomes a 160 MiB tmpfs (mounted inside that host's mount namespace, so only ocvm-dst sees it):
// enough for preflight's check (payload + 10 % + 64 MiB), and a helper on ocvm-dst fills the rest
// as soon as a staging dir appears, as another process writing to the same disk would.
import {createHash, randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, run, runOcvm, sshCheck, sshExec, SRC, resetHosts} from '../infra/hosts.js'
import {treeDigest} from '../helpers/tree-digest.js'

beforeAll(resetHosts)

const WORK = mkdtempSync(path.join(tmpdir(), 'ocvm-it-full-'))
const env = {OCVM_RUNS_DIR: path.join(WORK, 'runs')}
let mounted = false
let filler: string | undefined

/** Starts the filler on ocvm-dst: waits for a staging dir under /home/bob, then writes zeros until the disk is full. */
async function startFiller(): Promise<void> {
  filler = (await sshCheck(DST, `(while ! ls -d /home/bob/.ocvm-staging-* >/dev/null 2>&1; do sleep 0.02; done; dd if=/dev/zero of=/home/bob/.ocvm-it-filler bs=1M >/dev/null 2>&1) >/dev/null 2>&1 </dev/null & echo $!`)).trim()
}

async function stopFiller(): Promise<void> {
  if (filler) await sshExec(DST, `kill ${filler} 2>/dev/null; rm -f /home/bob/.ocvm-it-filler; true`)
  filler = undefined
}

async function expectTargetAsBefore(stderr: string): Promise<void> {
  expect(stderr).toMatch(/^Error: target disk full on ssh:\/\/root@ocvm-dst: writing .* into \/home\/bob\/\.ocvm-staging-\S+ failed( after [^(]+)? \(.* free on \/home\/bob\)/m)
  expect(stderr).toMatch(/Hint: Nothing was activated and the staging dir is removed/)
  // Only the filler is left: no staging dir, nothing activated.
  expect((await sshCheck(DST, 'ls -A /home/bob')).split('\n').filter((f) => f && f !== '.ocvm-it-filler')).toEqual([])
}

describe('target disk full', () => {
  let before: Map<string, string>

  beforeAll(async () => {
    const state = path.join(hostFsPath(SRC, '/home/alice'), '.openclaw')
    mkdirSync(path.join(state, 'workspace'), {recursive: true})
    writeFileSync(path.join(state, 'openclaw.json'), '{ gateway: { mode: "local", bind: "loopback" } }\n')
    // Incompressible, so 60 MiB really travel and land.
    for (let i = 0; i < 6; i++) writeFileSync(path.join(state, `workspace/blob-${i}.bin`), randomBytes(10 * 1024 * 1024))
    await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
    before = treeDigest(state)
    await sshCheck(DST, 'mount -t tmpfs -o size=160m,mode=0700 ocvm-it-full /home/bob && chown bob:bob /home/bob')
    mounted = true
  }, 120_000)

  afterAll(async () => {
    await stopFiller()
    if (mounted) await sshCheck(DST, 'umount /home/bob')
  })

  it('migrate: clear error naming the host and free space, nothing activated, staging removed, source untouched', async () => {
    await startFiller()
    try {
      const r = await runOcvm(['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes'], {env, timeoutMs: 300_000})
      expect(r.exitCode, r.stdout + r.stderr).toBe(1)
      await expectTargetAsBefore(r.stderr)
      expect(treeDigest(path.join(hostFsPath(SRC, '/home/alice'), '.openclaw'))).toEqual(before)
    } finally {
      await stopFiller()
    }
  }, 300_000)

  it('import: the same, and the archive is untouched', async () => {
    const archive = path.join(WORK, 'alice.tar.zst')
    const exported = await runOcvm(['export', '--from', `root@${SRC}`, '--user', 'alice', '--out', archive, '--json'], {env, timeoutMs: 300_000})
    // --json puts an error on stdout.
    expect(exported.exitCode, exported.stdout + exported.stderr).toBe(0)
    const sha = (JSON.parse(exported.stdout) as {sha256: string}).sha256
    await stopFiller()
    await startFiller()
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'bob', archive, '--yes'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stdout + r.stderr).toBe(1)
    await expectTargetAsBefore(r.stderr)
    expect(createHash('sha256').update(readFileSync(archive)).digest('hex')).toBe(sha)
    expect(treeDigest(path.join(hostFsPath(SRC, '/home/alice'), '.openclaw'))).toEqual(before)
  }, 300_000)
})
