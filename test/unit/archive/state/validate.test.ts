// The archive validator on crafted archives: some made by the real GNU tar (and zstd, gzip), some
// written header by header to say what a hostile tool could say. Nothing is ever extracted here.
import {execFileSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {scanArchive} from '../../../../src/archive/state/scan.js'
import {TAR_END, tarFileMember, tarHeader} from '../../../../src/archive/state/tar.js'
import {OcvmError} from '../../../../src/errors.js'
import {createRunner} from '../../../../src/exec/runner.js'
import {caught} from '../../../helpers/caught.js'

let dir: string
const runner = createRunner()
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ocvm-arch-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

const manifestJson = (stateDir = '/home/alice/.openclaw') => Buffer.from(JSON.stringify({
  schemaVersion: 1, archiveRoot: 'bk', runtimeVersion: '2026.9.6',
  paths: {stateDir, configPath: `${stateDir}/openclaw.json`},
  assets: [{kind: 'state', sourcePath: stateDir, archivePath: `bk/payload/posix${stateDir}`}],
}))
const P = 'bk/payload/posix/home/alice/.openclaw'

/** An openclaw-backup-shaped archive whose payload is `members` (raw tar blocks). */
function crafted(members: Buffer[], name = 'a.tar'): string {
  const file = path.join(dir, name)
  writeFileSync(file, Buffer.concat([tarFileMember('bk/manifest.json', manifestJson()), tarHeader({name: `${P}/`, flag: '5', mode: 0o700}), ...members, TAR_END]))
  return file
}

async function refusal(file: string): Promise<string> {
  const error = await caught(scanArchive(file, {runner}))
  expect(error).toBeInstanceOf(OcvmError)
  expect((error as OcvmError).code).toBe('archive-refused')
  return (error as OcvmError).message
}

describe('scanArchive: refusing hostile archives', () => {
  it('accepts a well-formed openclaw backup layout and checksums every file', async () => {
    const scan = await scanArchive(crafted([tarFileMember(`${P}/openclaw.json`, Buffer.from('{}')), tarHeader({name: `${P}/link`, flag: '2', linkName: 'openclaw.json'})]), {runner})
    expect(scan.format).toBe('openclaw-backup')
    expect(scan.roots[0]?.manifest.entries).toEqual([
      {path: 'link', type: 'symlink', mode: 0o600, size: 0, linkTarget: 'openclaw.json'},
      {path: 'openclaw.json', type: 'file', mode: 0o600, size: 2, sha256: '44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a'},
    ])
  })

  it('refuses an absolute member name', async () => {
    expect(await refusal(crafted([tarFileMember('/etc/cron.d/evil', Buffer.from('x'))]))).toMatch(/\/etc\/cron\.d\/evil: an absolute name/)
  })

  it('refuses a `..` component', async () => {
    expect(await refusal(crafted([tarFileMember(`${P}/../../../../../../tmp/evil`, Buffer.from('x'))]))).toMatch(/'\.\.' component/)
  })

  it('refuses a symlink whose target escapes, absolute or relative', async () => {
    expect(await refusal(crafted([tarHeader({name: `${P}/l`, flag: '2', linkName: '/etc'})]))).toMatch(/symlink to the absolute path \/etc/)
    expect(await refusal(crafted([tarHeader({name: `${P}/l`, flag: '2', linkName: '../../../../../../../etc'})]))).toMatch(/escapes the extraction dir/)
  })

  it('refuses writing through a symlink the archive made (even one pointing inside)', async () => {
    const msg = await refusal(crafted([tarHeader({name: `${P}/d`, flag: '2', linkName: '.'}), tarFileMember(`${P}/d/x`, Buffer.from('x'))]))
    expect(msg).toMatch(/which the archive made a symlink/)
  })

  it('refuses hard links to outside or to nothing earlier', async () => {
    expect(await refusal(crafted([tarHeader({name: `${P}/h`, flag: '1', linkName: '/etc/shadow'})]))).toMatch(/absolute hard link target/)
    expect(await refusal(crafted([tarHeader({name: `${P}/h`, flag: '1', linkName: `${P}/nothing`})]))).toMatch(/not a regular file earlier/)
  })

  it('refuses device files, fifos and set-id files', async () => {
    expect(await refusal(crafted([tarHeader({name: `${P}/sda`, flag: '4'})]))).toMatch(/block-device entry/)
    expect(await refusal(crafted([tarHeader({name: `${P}/null`, flag: '3'})]))).toMatch(/char-device entry/)
    expect(await refusal(crafted([tarHeader({name: `${P}/p`, flag: '6'})]))).toMatch(/fifo entry/)
    expect(await refusal(crafted([tarFileMember(`${P}/suid`, Buffer.from('x'), {mode: 0o4755})]))).toMatch(/setuid/)
  })

  it('refuses a duplicate member (a second copy replacing a checked one)', async () => {
    expect(await refusal(crafted([tarFileMember(`${P}/a`, Buffer.from('x')), tarFileMember(`${P}/a`, Buffer.from('y'))]))).toMatch(/appears twice/)
  })

  it('refuses a decompression bomb at its header: a tiny gzip declaring 10 GB of zeros', async () => {
    // Only the header and the first 1 MiB of the 10 GB are in the stream: the scan must stop at the header.
    const header = tarHeader({name: `${P}/zeros`, size: 10 * 1024 ** 3})
    const file = path.join(dir, 'bomb.tar.gz')
    writeFileSync(file, gzipSync(Buffer.concat([tarFileMember('bk/manifest.json', manifestJson()), header, Buffer.alloc(1024 * 1024)])))
    expect((await import('node:fs')).statSync(file).size).toBeLessThan(64 * 1024)
    expect(await refusal(file)).toMatch(/declares 10737418240 bytes.*decompression bomb/)
  })

  it('made by real GNU tar + zstd: refuses ../ and absolute symlinks that tar itself stored', async () => {
    const src = path.join(dir, 'src', 'bk/payload/posix/home/alice/.openclaw')
    mkdirSync(src, {recursive: true})
    writeFileSync(path.join(dir, 'src/bk/manifest.json'), manifestJson())
    writeFileSync(path.join(src, 'openclaw.json'), '{}')
    symlinkSync('/root/.ssh', path.join(src, 'keys'))
    const file = path.join(dir, 'real.tar.zst')
    execFileSync('tar', ['--zstd', '-cf', file, '-C', path.join(dir, 'src'), 'bk'])
    expect(await refusal(file)).toMatch(/keys: a symlink to the absolute path \/root\/\.ssh/)

    const file2 = path.join(dir, 'real2.tar')
    writeFileSync(path.join(dir, 'evil'), 'x')
    // -P keeps the ../ in the stored name, as a hostile tool would.
    execFileSync('tar', ['-P', '-cf', file2, '-C', path.join(dir, 'src'), 'bk/manifest.json', '../evil'])
    expect(await refusal(file2)).toMatch(/'\.\.' component/)
  })

  it('reports a truncated archive as damaged, not as refused', async () => {
    const full = Buffer.concat([tarFileMember('bk/manifest.json', manifestJson()), tarHeader({name: `${P}/f`, size: 4096}), Buffer.alloc(1000)])
    const file = path.join(dir, 'cut.tar')
    writeFileSync(file, full)
    const error = await caught(scanArchive(file, {runner}))
    expect((error as OcvmError).code).toBe('archive-corrupt')
    expect((error as OcvmError).message).toMatch(/truncated/)
  })

  it('scanning writes nothing', async () => {
    await refusal(crafted([tarFileMember('/tmp/ocvm-should-not-exist', Buffer.from('x'))]))
    expect(existsSync('/tmp/ocvm-should-not-exist')).toBe(false)
    expect(readdirSync(dir)).toEqual(['a.tar'])
  })
})
