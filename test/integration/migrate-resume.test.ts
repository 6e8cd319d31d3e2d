// An interrupted file migration: ocvm is SIGKILLed in the middle of the transfer (the link to the
// target is throttled with tc so "the middle" lasts a few seconds), then `--resume RUN` finishes it
// without sending again what had already arrived, and the result verifies.
import {spawn} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, infra, REPO_ROOT, run, runOcvm, sshCheck, SRC, resetHosts} from '../infra/hosts.js'

// Each file starts from fresh hosts: no deployment left over from another file.
beforeAll(resetHosts)

const RUNS = mkdtempSync(path.join(tmpdir(), 'ocvm-it-resume-'))
const DST_PORT = 'ocvm-h1' // the bridge port that leads into ocvm-dst (hosts.sh numbers hosts in order)
const FILES = 24
const FILE_MB = 4

describe('kill ocvm during the transfer, then --resume', () => {
  beforeAll(async () => {
    const home = hostFsPath(SRC, '/home/alice')
    const state = path.join(home, '.openclaw')
    mkdirSync(path.join(state, 'workspace/research'), {recursive: true})
    writeFileSync(path.join(state, 'openclaw.json'), '{ gateway: { mode: "local", bind: "loopback" } }\n')
    // Incompressible data, so the throttle bounds the transfer time.
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(state, `workspace/research/blob-${String(i).padStart(2, '0')}.bin`), randomBytes(FILE_MB * 1024 * 1024))
    await run('chown', ['-R', 'alice:alice', home])
    // ~10 MB/s towards the target.
    await run('tc', ['qdisc', 'replace', 'dev', DST_PORT, 'root', 'tbf', 'rate', '80mbit', 'burst', '256kb', 'latency', '500ms'])
  })
  afterAll(async () => {
    await run('tc', ['qdisc', 'del', 'dev', DST_PORT, 'root'])
  })

  it('completes from where it stopped and verifies', async () => {
    const args = ['bin/run.js', 'migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes', '--skip-hooks']
    const child = spawn(process.execPath, args, {cwd: REPO_ROOT, env: {...process.env, OCVM_RUNS_DIR: RUNS, OCVM_SSH_CONFIG: infra().sshConfig}})
    let stderr = ''
    const killed = new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString()
        // Kill about half-way as the source counts it (progress lines come every 10 %). The target
        // lags behind by what the pipes, ssh and the throttled link buffer, so what has arrived is
        // counted on the target below, not derived from this percentage.
        if (/state dir \[#+-+\]\s+(5\d|6\d)%/.test(stderr)) child.kill('SIGKILL')
      })
      child.on('exit', () => resolve())
    })
    await killed
    expect(stderr).toMatch(/sending/)
    expect(stderr).not.toMatch(/100%/)
    const runId = /Run (\d{8}T\d{6}Z-[0-9a-f]{6})/.exec(stderr)?.[1]
    expect(runId).toBeDefined()
    const journal = JSON.parse(readFileSync(path.join(RUNS, runId ?? '', 'journal.json'), 'utf8')) as {committed: boolean}
    expect(journal.committed).toBe(false)
    // Nothing was activated on the target.
    expect((await sshCheck(DST, 'test -e /home/bob/.openclaw && echo yes || echo no')).trim()).toBe('no')
    // Whole files that reached staging before the kill (tar writes each file front to back).
    const arrived = Number((await sshCheck(DST, `find /home/bob -path '*/.ocvm-staging-${runId}-*' -name 'blob-*.bin' -size ${FILE_MB * 1024}k | wc -l`)).trim())
    expect(arrived).toBeGreaterThan(1)

    const resumed = await runOcvm(['migrate', '--resume', runId ?? '', '--json'], {env: {OCVM_RUNS_DIR: RUNS}, timeoutMs: 300_000})
    expect(resumed.exitCode, resumed.stderr).toBe(0)
    const result = JSON.parse(resumed.stdout) as {status: string; transfer: {files: number; resumedFiles: number; wireBytes: number; bytes: number}}
    expect(result.status).toBe('ok')
    // What had arrived intact was not sent again (the last whole-sized file may still lack its mode
    // and times, so it may be sent again).
    expect(result.transfer.resumedFiles).toBeGreaterThanOrEqual(arrived - 1)
    const blobsResent = FILES - (result.transfer.resumedFiles - 1) // openclaw.json was there too
    expect(result.transfer.wireBytes).toBeLessThan((blobsResent + 0.5) * FILE_MB * 1024 * 1024)
    const sums = await sshCheck(DST, 'cd /home/bob/.openclaw/workspace/research && sha256sum blob-*.bin')
    const expected = await sshCheck(SRC, 'cd /home/alice/.openclaw/workspace/research && sha256sum blob-*.bin')
    expect(sums).toBe(expected)
    expect(sums.trim().split('\n')).toHaveLength(FILES)
  }, 300_000)
})
