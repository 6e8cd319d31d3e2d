// Warm pre-copy (`ocvm migrate --precopy`): the state is staged while the source still runs, the
// source then changes (files modified, added, deleted, a directory removed) after the pre-copy has
// staged them, and only then is the gateway stopped and the delta sent. The final copy must win:
// the target equals the source as it was at the stop, byte for byte, deleted files included.
import {randomBytes} from 'node:crypto'
import {existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, resetHosts, run, SRC} from '../infra/hosts.js'
import {launchOcvm, readJournal, stepStatus, trialDirs, treeDigest, waitFor} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'

beforeAll(resetHosts)

const DST_PORT = 'ocvm-h1'
const BLOBS = 16
const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const dstState = () => hostFsPath(DST, '/home/bob/.openclaw')
const figures = {trials: 0, faultsInjected: 0, faultsSurvived: 0, badInputs: 0, leaks: 0}
const lines: string[] = []

describe('migrate --precopy while the source changes', () => {
  beforeAll(async () => {
    const ws = path.join(srcState(), 'workspace')
    mkdirSync(path.join(ws, 'a-dir-delete'), {recursive: true})
    writeFileSync(path.join(srcState(), 'openclaw.json'), '{ gateway: { mode: "local", bind: "loopback" } }\n')
    writeFileSync(path.join(ws, 'a-keep.txt'), 'unchanged\n')
    writeFileSync(path.join(ws, 'a-modify.txt'), 'version 1\n')
    writeFileSync(path.join(ws, 'a-delete.txt'), 'gone after the pre-copy\n')
    writeFileSync(path.join(ws, 'a-dir-delete/x.txt'), 'a whole dir that goes\n')
    // Sent after the a-* files (tar follows the sorted manifest), and slow enough through the throttle
    // that the pre-copy is still running when the test changes the a-* files it has already staged.
    for (let i = 0; i < BLOBS; i++) writeFileSync(path.join(ws, `z-blob-${String(i).padStart(2, '0')}.bin`), randomBytes(1024 * 1024))
    await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
    await run('tc', ['qdisc', 'replace', 'dev', DST_PORT, 'root', 'tbf', 'rate', '40mbit', 'burst', '256kb', 'latency', '500ms'])
  })
  afterAll(async () => {
    await run('tc', ['qdisc', 'del', 'dev', DST_PORT, 'root'])
    writeSection({id: 'precopy', title: 'Warm pre-copy while the source changes (file driver)', figures, lines})
  })

  it('the final copy (after the stop) wins: modified, added and deleted files, no mixed state', async () => {
    const {runs, env} = trialDirs('precopy')
    const ocvm = launchOcvm(['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes', '--precopy', '--skip-hooks'], env)
    figures.trials++
    // Wait until the pre-copy has staged the a-* files (seen on the target), then freeze ocvm so it
    // cannot move on while the source changes.
    const staged = (rel: string) => {
      const staging = readJournal(runs)?.roots[0]?.staging
      return staging !== undefined && existsSync(path.join(hostFsPath(DST, staging), rel))
    }
    expect(await waitFor(ocvm, () => staged('workspace/a-modify.txt') && staged('workspace/a-delete.txt') && staged('workspace/a-dir-delete/x.txt')), ocvm.output().stderr).toBe(true)
    process.kill(ocvm.pid, 'SIGSTOP')
    try {
      const j = readJournal(runs)
      expect(stepStatus(j, 'quiesce'), 'the changes must come before the stop').toBe('pending')
      expect(stepStatus(j, 'transfer')).toBe('pending')
      const ws = path.join(srcState(), 'workspace')
      writeFileSync(path.join(ws, 'a-modify.txt'), 'version 2, written after the pre-copy staged version 1\n')
      rmSync(path.join(ws, 'a-delete.txt'))
      rmSync(path.join(ws, 'a-dir-delete'), {recursive: true})
      writeFileSync(path.join(ws, 'b-added.txt'), 'new after the pre-copy\n')
      writeFileSync(path.join(ws, 'z-blob-00.bin'), randomBytes(1024 * 1024))
      await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
      figures.faultsInjected++
    } finally {
      process.kill(ocvm.pid, 'SIGCONT')
    }
    const code = await ocvm.exited
    expect(code, ocvm.output().stderr).toBe(0)

    const src = treeDigest(srcState())
    const dst = treeDigest(dstState())
    expect(dst).toEqual(src)
    expect(existsSync(path.join(dstState(), 'workspace/a-delete.txt'))).toBe(false)
    expect(existsSync(path.join(dstState(), 'workspace/a-dir-delete'))).toBe(false)
    expect(dst.get('workspace/b-added.txt')).toBeDefined()

    const j = readJournal(runs)
    expect(stepStatus(j, 'precopy')).toBe('done')
    const pre = j?.precopy
    const fin = j?.transfer
    expect(pre?.wireBytes).toBeGreaterThan(BLOBS * 1024 * 1024 * 0.9)
    // The final pass (gateway stopped) sent the delta only: the blobs the pre-copy staged were not sent again.
    expect(fin?.wireBytes).toBeLessThan((pre?.wireBytes ?? 0) / 3)
    expect(fin?.resumedFiles).toBeGreaterThanOrEqual(BLOBS - 2)
    figures.faultsSurvived++
    lines.push(
      `The source (${BLOBS} × 1 MiB blobs and small files) is pre-copied through a 40 Mbit/s link while it runs; once the pre-copy has staged the small files, ocvm is frozen (SIGSTOP), the source changes (one file modified, one added, one deleted, a directory removed, a staged blob rewritten), ocvm continues, stops the gateway and sends the delta.`,
      '',
      `Pre-copy: ${pre?.files} files, ${pre?.wireBytes} bytes on the wire. Final pass after the stop: ${fin?.wireBytes} bytes on the wire, ${fin?.resumedFiles} entries already staged intact. Target byte-identical to the source at the stop (${dst.size} files); the deleted file and directory did not survive.`,
    )
  }, 600_000)
})
