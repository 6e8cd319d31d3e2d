// Two-step move between the namespace hosts: `ocvm export` from alice@ocvm-src to a file on this
// machine, `ocvm import` of that file (streamed over ssh) for bob@ocvm-dst; an archive made by the
// real `openclaw backup create`; and hostile archives, refused before anything is written.
import {createHash} from 'node:crypto'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {beforeAll, describe, expect, it} from 'vitest'

import {TAR_END, tarFileMember, tarHeader} from '../../src/archive/state/tar.js'
import {chownTree, DST, hostFsPath, runOcvm, sshCheck, sshExec, SRC, resetHosts} from '../infra/hosts.js'
import {treeDigest} from '../helpers/tree-digest.js'

beforeAll(resetHosts)

const WORK = mkdtempSync(path.join(tmpdir(), 'ocvm-it-archive-'))
const env = {OCVM_RUNS_DIR: path.join(WORK, 'runs')}
const ARCHIVE = path.join(WORK, 'alice.ocvm.tar.zst')

const srcHome = () => hostFsPath(SRC, '/home/alice')
const dstHome = (user: string) => hostFsPath(DST, `/home/${user}`)

describe('export on ocvm-src, import on ocvm-dst', () => {
  let exported: {status: string; file: string; sha256: string; files: number; gateway: string}

  beforeAll(async () => {
    await sshCheck(SRC, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1', {user: 'alice', timeoutMs: 120_000})
    const state = path.join(srcHome(), '.openclaw')
    const config = JSON.parse(readFileSync(path.join(state, 'openclaw.json'), 'utf8')) as Record<string, unknown>
    writeFileSync(path.join(state, 'openclaw.json'), `// alice's gateway
{
  meta: ${JSON.stringify(config.meta)},
  plugins: ${JSON.stringify(config.plugins)},
  gateway: { mode: "local", bind: "loopback", port: 18789, auth: { mode: "token", token: "ocvm-it-archive-token-1f2e3d" } },
  agents: {
    ownership: "explicit",
    defaults: { workspace: "/home/alice/.openclaw/workspace" },
    entries: {
      main: { name: "main", workspace: "/home/alice/.openclaw/workspace" },
      search: { name: "search", workspace: "/home/alice/research/search-ws" }, // outside the state dir
    },
  },
}
`)
    const wa = path.join(state, 'credentials/whatsapp/default')
    mkdirSync(wa, {recursive: true})
    writeFileSync(path.join(wa, 'creds.json'), JSON.stringify({noiseKey: {private: 'a2V5'}, registered: false}))
    for (let i = 0; i < 500; i++) writeFileSync(path.join(wa, `pre-key-${i}.json`), JSON.stringify({keyId: i}))
    const ws = path.join(srcHome(), 'research/search-ws')
    mkdirSync(ws, {recursive: true})
    writeFileSync(path.join(ws, 'SOUL.md'), '# Search agent\n')
    writeFileSync(path.join(ws, 'notes.bin'), Buffer.alloc(4 * 1024 * 1024, 3))
    symlinkSync('SOUL.md', path.join(ws, 'soul-link.md'))
    chownTree(srcHome(), 'alice')
    await sshCheck(SRC, 'cd ~ && (nohup openclaw gateway run >/tmp/ocvm-it-archive-gw.log 2>&1 &); sleep 1', {user: 'alice'})

    const r = await runOcvm(['export', '--from', `root@${SRC}`, '--user', 'alice', '--out', ARCHIVE, '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    exported = JSON.parse(r.stdout)
  }, 400_000)

  it('export stops the gateway, writes one archive and prints its SHA-256', async () => {
    expect(exported.status).toBe('ok')
    expect(exported.gateway).toMatch(/stopped/)
    expect(exported.sha256).toBe(createHash('sha256').update(readFileSync(ARCHIVE)).digest('hex'))
    expect(exported.files).toBeGreaterThan(500)
    expect(readdirSync(WORK).filter((f) => f.includes('partial'))).toEqual([])
    expect((await sshExec(SRC, "pgrep -u alice -f 'openclaw' >/dev/null")).exitCode).toBe(1)
  })

  it('import --dry-run checks the archive and shows the path rewrites, writing nothing on the target', async () => {
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'bob', ARCHIVE, '--dry-run', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    const plan = JSON.parse(r.stdout) as {status: string; diffs: Array<{file: string; diff: string}>; roots: Array<{target: string}>}
    expect(plan.status).toBe('planned')
    expect(plan.roots.map((x) => x.target)).toEqual(['/home/bob/.openclaw', '/home/bob/research/search-ws'])
    expect(plan.diffs.find((d) => d.file === '/home/bob/.openclaw/openclaw.json')?.diff).toContain('+      search: { name: "search", workspace: "/home/bob/research/search-ws" }, // outside the state dir')
    expect(readdirSync(dstHome('bob')).filter((f) => f !== '.ssh')).toEqual([])
  })

  it('import streams it over ssh, verifies, rewrites, activates; the real openclaw accepts the target', async () => {
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'bob', ARCHIVE, '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    const result = JSON.parse(r.stdout) as {status: string; archive: {sha256: string; format: string}}
    expect(result).toMatchObject({status: 'ok', archive: {format: 'ocvm', sha256: exported.sha256}})
    for (const rel of ['.openclaw/credentials', '.openclaw/workspace', 'research/search-ws']) {
      expect(treeDigest(path.join(dstHome('bob'), rel)), rel).toEqual(treeDigest(path.join(srcHome(), rel)))
    }
    const config = readFileSync(path.join(dstHome('bob'), '.openclaw/openclaw.json'), 'utf8')
    expect(config).toContain("// alice's gateway")
    expect(config).not.toContain('/home/alice')
    expect((await sshCheck(DST, 'stat -c "%a %U" /home/bob/.openclaw /home/bob/.openclaw/credentials/whatsapp/default/creds.json')).trim().split('\n')).toEqual(['700 bob', '600 bob'])
    expect((await sshExec(DST, 'ls -d /home/bob/.ocvm-staging-* /home/bob/research/.ocvm-staging-* 2>/dev/null')).stdout).toBe('')
    const validate = JSON.parse(await sshCheck(DST, 'cd ~ && openclaw config validate --json', {user: 'bob', timeoutMs: 120_000})) as {valid: boolean}
    expect(validate).toMatchObject({valid: true})
  }, 400_000)

  it('imports an archive made by the real `openclaw backup create`, mapping its assets to another user', async () => {
    await sshCheck(SRC, 'cd ~ && openclaw backup create --output /home/alice/oc-backup.tar.gz --json >/tmp/ocvm-it-backup.json 2>&1', {user: 'alice', timeoutMs: 180_000})
    const backup = path.join(WORK, 'oc-backup.tar.gz')
    writeFileSync(backup, readFileSync(path.join(srcHome(), 'oc-backup.tar.gz')))
    // alice exists on ocvm-dst too, with an empty home there.
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'alice', backup, '--yes', '--json'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    const result = JSON.parse(r.stdout) as {status: string; archive: {format: string}; roots: Array<{target: string}>}
    expect(result.archive.format).toBe('openclaw-backup')
    expect(result.roots[0]?.target).toBe('/home/alice/.openclaw')
    const dst = path.join(dstHome('alice'), '.openclaw')
    expect(treeDigest(path.join(dst, 'credentials'))).toEqual(treeDigest(path.join(srcHome(), '.openclaw/credentials')))
    const validate = JSON.parse(await sshCheck(DST, 'cd ~ && openclaw config validate --json', {user: 'alice', timeoutMs: 120_000})) as {valid: boolean}
    expect(validate).toMatchObject({valid: true})
  }, 400_000)

  it('an unknown --target-user is a clear error (exit 1, hint), nothing written', async () => {
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'nobody-ocvm-x', ARCHIVE, '--yes'], {env})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('Error: user "nobody-ocvm-x" does not exist on ssh://root@ocvm-dst')
    expect(r.stderr).toMatch(/Hint: /)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('hostile archives are refused before anything is written outside staging', () => {
  const P = 'bk/payload/posix/home/carol/.openclaw'
  const manifest = Buffer.from(JSON.stringify({schemaVersion: 1, archiveRoot: 'bk', paths: {stateDir: '/home/carol/.openclaw'}, assets: [{kind: 'state', sourcePath: '/home/carol/.openclaw', archivePath: P}]}))
  const craft = (name: string, members: Buffer[]) => {
    const file = path.join(WORK, name)
    writeFileSync(file, gzipSync(Buffer.concat([tarFileMember('bk/manifest.json', manifest), tarHeader({name: `${P}/`, flag: '5', mode: 0o700}), tarFileMember(`${P}/openclaw.json`, Buffer.from('{}')), ...members, TAR_END])))
    return file
  }
  const cases: Array<[string, Buffer[], RegExp]> = [
    ['absolute.tar.gz', [tarFileMember('/tmp/ocvm-it-evil-abs', Buffer.from('pwned'))], /absolute name/],
    ['dotdot.tar.gz', [tarFileMember(`${P}/../../../../../../tmp/ocvm-it-evil-dotdot`, Buffer.from('pwned'))], /'\.\.' component/],
    ['symlink.tar.gz', [tarHeader({name: `${P}/out`, flag: '2', linkName: '/tmp'}), tarFileMember(`${P}/out/ocvm-it-evil-link`, Buffer.from('pwned'))], /symlink to the absolute path \/tmp/],
    ['hardlink.tar.gz', [tarHeader({name: `${P}/shadow`, flag: '1', linkName: '/etc/shadow'})], /absolute hard link target/],
    ['device.tar.gz', [tarHeader({name: `${P}/sda`, flag: '4'})], /block-device entry/],
    ['bomb.tar.gz', [tarHeader({name: `${P}/zeros`, size: 10 * 1024 ** 3}), Buffer.alloc(1024 * 1024)], /decompression bomb/],
  ]

  it.each(cases)('%s: exit 1 with a hint; no staging, nothing outside it', async (name, members, reason) => {
    const file = craft(name, members)
    const r = await runOcvm(['import', '--to', `root@${DST}`, '--target-user', 'bob', '--target-state-dir', '/home/bob/carol-state', file, '--yes'], {env})
    expect(r.exitCode, r.stdout).toBe(1)
    expect(r.stderr).toMatch(/^Error: refusing .*: member /m)
    expect(r.stderr).toMatch(reason)
    expect(r.stderr).toMatch(/Hint: Nothing was extracted or changed/)
    const leftovers = await sshCheck(DST, 'ls -d /home/bob/carol-state /home/bob/.ocvm-staging-* /tmp/ocvm-it-evil-* 2>/dev/null; true')
    expect(leftovers).toBe('')
    expect(existsSync('/tmp/ocvm-it-evil-abs')).toBe(false)
  })
})
