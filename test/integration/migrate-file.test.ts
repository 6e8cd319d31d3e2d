// `ocvm migrate --driver file --skip-hooks` between two sshd hosts (hooks: hooks.test.ts) (network namespaces, private /home each), from
// alice on ocvm-src to bob on ocvm-dst, on a deployment created by the real openclaw CLI. The real
// openclaw on the target is the oracle: config validate, gateway /health, memory index + search.
import {createHash} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {beforeAll, describe, expect, it} from 'vitest'

import {chownTree, DST, hostFsPath, runOcvm, sshCheck, sshExec, SRC, resetHosts} from '../infra/hosts.js'
import {manifestHashes, treeDigest} from '../helpers/tree-digest.js'

// Each file starts from fresh hosts: no deployment left over from another file.
beforeAll(resetHosts)

// A journal dir of its own per test run: earlier runs' journals must not make this one a no-op.
const RUNS = mkdtempSync(path.join(tmpdir(), 'ocvm-it-runs-'))
const env = {OCVM_RUNS_DIR: RUNS}
const MEMORY_FACT = 'The project codename is bluefin-kestrel.'

const srcHome = () => hostFsPath(SRC, '/home/alice')
const dstHome = () => hostFsPath(DST, '/home/bob')

describe('migrate --driver file: alice@ocvm-src -> bob@ocvm-dst', () => {
  let result: {runId: string; status: string; changes: Array<{file: string; key: string; from: string; to: string}>; transfer: {files: number; bytes: number; wireBytes: number}; downtime?: {seconds: number; until: string; wireBytes: number}}

  beforeAll(async () => {
    // The real CLI creates the deployment; then we shape it like a long-lived one.
    await sshCheck(SRC, 'cd ~ && openclaw setup --baseline >/dev/null 2>&1', {user: 'alice', timeoutMs: 120_000})
    const state = path.join(srcHome(), '.openclaw')
    const setupConfig = JSON.parse(readFileSync(path.join(state, 'openclaw.json'), 'utf8')) as Record<string, unknown>
    writeFileSync(path.join(state, 'openclaw.json'), `// Gateway of alice — comments must survive the move.
{
  meta: ${JSON.stringify(setupConfig.meta)},
  plugins: ${JSON.stringify(setupConfig.plugins)},
  gateway: {
    mode: "local",
    bind: "loopback", // never 0.0.0.0
    port: 18789,
    auth: { mode: "token", token: "ocvm-it-gateway-token-7c1f0a2b9d" },
  },
  agents: { $include: "./agents.json5" },
}
`)
    writeFileSync(path.join(state, 'agents.json5'), `{
  ownership: "explicit",
  defaults: { workspace: "/home/alice/.openclaw/workspace" },
  entries: {
    main: { name: "main", workspace: "/home/alice/.openclaw/workspace", agentDir: "/home/alice/.openclaw/agents/main/agent", identity: { name: "main" } },
    // research keeps its workspace outside the state dir
    search: { name: "search", workspace: "/home/alice/research/search-ws", agentDir: "/home/alice/.openclaw/agents/search/agent" },
  },
}
`)
    mkdirSync(path.join(state, 'workspace/memory'), {recursive: true})
    writeFileSync(path.join(state, 'workspace/memory/2026-11-20.md'), `# Notes\n\n${MEMORY_FACT}\n`)
    const wa = path.join(state, 'credentials/whatsapp/default')
    mkdirSync(wa, {recursive: true})
    writeFileSync(path.join(wa, 'creds.json'), JSON.stringify({noiseKey: {private: 'a2V5', public: 'a2V5'}, registered: false}))
    for (let i = 0; i < 2000; i++) writeFileSync(path.join(wa, `pre-key-${i}.json`), JSON.stringify({keyId: i, keyPair: {private: createHash('sha256').update(String(i)).digest('base64')}}))
    const ws = path.join(srcHome(), 'research/search-ws')
    mkdirSync(ws, {recursive: true})
    writeFileSync(path.join(ws, 'SOUL.md'), '# Search agent\n')
    writeFileSync(path.join(ws, 'big-notes.bin'), Buffer.alloc(8 * 1024 * 1024, 7))
    symlinkSync('SOUL.md', path.join(ws, 'soul-link.md'))
    // A large transcript file: 2026.9 keeps sessions in SQLite, this stands for an archived transcript.
    mkdirSync(path.join(state, 'agents/main/archive'), {recursive: true})
    writeFileSync(path.join(state, 'agents/main/archive/s1.jsonl'), `${JSON.stringify({type: 'message', role: 'user', content: 'x'.repeat(1000)})}\n`.repeat(4000))
    chownTree(srcHome(), 'alice')

    // A running gateway: migrate must stop it before the final copy.
    await sshCheck(SRC, 'cd ~ && (nohup openclaw gateway run >/tmp/ocvm-it-src-gw.log 2>&1 &); sleep 1', {user: 'alice'})

    const r = await runOcvm(['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes', '--json', '--skip-hooks'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    result = JSON.parse(r.stdout)
  }, 400_000)

  it('completes every step and moves the external workspace', () => {
    expect(result.status).toBe('ok')
    expect(result.transfer.files).toBeGreaterThan(2000)
    // The gateway ran: down from its stop until the commit (--skip-hooks starts none on the target).
    expect(result.downtime).toMatchObject({until: 'committed', wireBytes: result.transfer.wireBytes})
    expect(result.downtime?.seconds).toBeGreaterThan(0)
    expect(treeDigest(path.join(dstHome(), 'research/search-ws'))).toEqual(treeDigest(path.join(srcHome(), 'research/search-ws')))
  })

  it('stopped the running source gateway and left the source files as they were at the stop', async () => {
    const journal = JSON.parse(readFileSync(path.join(RUNS, result.runId, 'journal.json'), 'utf8')) as {stop: {kind: string}}
    expect(journal.stop.kind).toBe('process')
    expect((await sshExec(SRC, "pgrep -u alice -f 'openclaw' >/dev/null")).exitCode).toBe(1)
    const manifest = manifestHashes(RUNS, result.runId)
    expect(manifest.size).toBeGreaterThan(2000)
    const now = treeDigest(path.join(srcHome(), '.openclaw'))
    for (const [file, sha] of manifest) expect(now.get(file), file).toBe(sha)
  })

  it('credentials and workspaces are byte-identical; the memory index is not copied', () => {
    for (const rel of ['.openclaw/credentials', '.openclaw/workspace', '.openclaw/state']) {
      expect(treeDigest(path.join(dstHome(), rel)), rel).toEqual(treeDigest(path.join(srcHome(), rel)))
    }
  })

  it('rewrote every old path, kept comments, and touched nothing else', () => {
    const state = path.join(dstHome(), '.openclaw')
    const main = readFileSync(path.join(state, 'openclaw.json'), 'utf8')
    const agents = readFileSync(path.join(state, 'agents.json5'), 'utf8')
    expect(main).toContain('// Gateway of alice — comments must survive the move.')
    expect(agents).toContain('// research keeps its workspace outside the state dir')
    expect(agents).toContain('workspace: "/home/bob/research/search-ws"')
    expect(agents).not.toContain('/home/alice')
    expect(result.changes.map((c) => c.key)).toEqual(expect.arrayContaining(['entries.search.workspace', 'defaults.workspace', 'entries.main.agentDir']))
    // The source files themselves still point at alice's home.
    expect(readFileSync(path.join(srcHome(), '.openclaw/agents.json5'), 'utf8')).toContain('/home/alice/research/search-ws')
  })

  it('applies ownership and the guide\'s permission set', async () => {
    const out = await sshCheck(DST, 'stat -c "%a %U:%G %n" /home/bob/.openclaw /home/bob/.openclaw/openclaw.json /home/bob/.openclaw/agents.json5 /home/bob/.openclaw/credentials/whatsapp/default/creds.json /home/bob/research /home/bob/research/search-ws')
    expect(out.trim().split('\n')).toEqual([
      '700 bob:bob /home/bob/.openclaw',
      '600 bob:bob /home/bob/.openclaw/openclaw.json',
      '600 bob:bob /home/bob/.openclaw/agents.json5',
      '600 bob:bob /home/bob/.openclaw/credentials/whatsapp/default/creds.json',
      '700 bob:bob /home/bob/research',
      expect.stringMatching(/ bob:bob \/home\/bob\/research\/search-ws$/),
    ])
    expect((await sshExec(DST, 'ls -d /home/bob/.ocvm-staging-* /home/bob/research/.ocvm-staging-* 2>/dev/null')).stdout).toBe('')
  })

  it('the real openclaw accepts the target: config validate, gateway /health, memory index + search', async () => {
    const validate = JSON.parse(await sshCheck(DST, 'cd ~ && openclaw config validate --json', {user: 'bob', timeoutMs: 120_000})) as {valid: boolean; issues?: unknown[]}
    expect(validate, JSON.stringify(validate)).toMatchObject({valid: true})

    await sshCheck(DST, 'cd ~ && openclaw memory index --force >/tmp/ocvm-it-index.log 2>&1', {user: 'bob', timeoutMs: 240_000})
    const search = await sshCheck(DST, 'cd ~ && openclaw memory search --agent main bluefin-kestrel 2>&1', {user: 'bob', timeoutMs: 120_000})
    expect(search).toContain('bluefin-kestrel')

    await sshCheck(DST, 'cd ~ && (nohup openclaw gateway run >/tmp/ocvm-it-dst-gw.log 2>&1 &); sleep 1', {user: 'bob'})
    try {
      let health = ''
      for (let i = 0; i < 90 && !health.includes('"ok":true'); i++) {
        health = (await sshExec(DST, 'curl -s --max-time 2 http://127.0.0.1:18789/health')).stdout
        if (!health.includes('"ok":true')) await new Promise((r) => setTimeout(r, 1000))
      }
      expect(JSON.parse(health)).toMatchObject({ok: true})
    } finally {
      await sshExec(DST, "pkill -u bob -f openclaw; true")
    }
  }, 400_000)

  it('a re-run of the same migration changes nothing', async () => {
    const before = treeDigest(path.join(dstHome(), '.openclaw/credentials'))
    const r = await runOcvm(['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes', '--json', '--skip-hooks'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({runId: result.runId, status: 'ok'})
    expect(treeDigest(path.join(dstHome(), '.openclaw/credentials'))).toEqual(before)
  })

  it('after a change on the source, --force sends only what differs and the target matches the source', async () => {
    const state = path.join(srcHome(), '.openclaw')
    const wa = path.join(state, 'credentials/whatsapp/default')
    // Appended (size and mtime change), added, and removed on the source since the first run.
    writeFileSync(path.join(state, 'agents/main/archive/s1.jsonl'), `${JSON.stringify({type: 'message', role: 'user', content: 'after the move'})}\n`, {flag: 'a'})
    writeFileSync(path.join(wa, 'pre-key-new.json'), JSON.stringify({keyId: 'new'}))
    rmSync(path.join(wa, 'pre-key-7.json'))
    chownTree(srcHome(), 'alice')
    // Running again, so the --force run stops it and its rollback (next test) has a gateway to start.
    await sshCheck(SRC, 'cd ~ && (nohup openclaw gateway run >/tmp/ocvm-it-src-gw.log 2>&1 &); sleep 1', {user: 'alice'})

    const r = await runOcvm(['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--yes', '--json', '--skip-hooks', '--force'], {env, timeoutMs: 300_000})
    expect(r.exitCode, r.stderr + r.stdout).toBe(0)
    const again = JSON.parse(r.stdout) as typeof result & {transfer: {files: number; resumedFiles: number}}
    expect(again.status).toBe('ok')
    expect(again.runId).not.toBe(result.runId)
    // Staging started as a copy of the previous target: the 2000 unchanged key files did not travel again.
    expect(again.transfer.resumedFiles).toBeGreaterThan(2000)
    expect(again.transfer.files - again.transfer.resumedFiles).toBeLessThan(30)
    expect(treeDigest(path.join(dstHome(), '.openclaw/credentials'))).toEqual(treeDigest(path.join(state, 'credentials')))
    expect(readFileSync(path.join(dstHome(), '.openclaw/agents/main/archive/s1.jsonl'))).toEqual(readFileSync(path.join(state, 'agents/main/archive/s1.jsonl')))
    result = again
  })

  it('rollback of the --force run starts the source gateway again, takes its copy out of service and puts the previous one back', async () => {
    const r = await runOcvm(['migrate', '--rollback', result.runId, '--yes', '--json'], {env})
    expect(r.exitCode, r.stderr).toBe(0)
    expect((await sshExec(DST, `test -d /home/bob/.openclaw.ocvm-rolledback-${result.runId}`)).exitCode).toBe(0)
    expect((await sshExec(DST, `test -e /home/bob/.openclaw.ocvm-old-${result.runId}`)).exitCode).toBe(1)
    // The copy --force had kept aside is back: it still has the key file removed on the source since.
    expect((await sshExec(DST, 'test -f /home/bob/.openclaw/credentials/whatsapp/default/pre-key-7.json')).exitCode).toBe(0)
    expect((await sshExec(DST, 'test -e /home/bob/.openclaw/credentials/whatsapp/default/pre-key-new.json')).exitCode).toBe(1)
    let running = 1
    for (let i = 0; i < 20 && running !== 0; i++) {
      running = (await sshExec(SRC, "pgrep -u alice -f openclaw >/dev/null")).exitCode
      if (running !== 0) await new Promise((res) => setTimeout(res, 500))
    }
    expect(running).toBe(0)
    await sshExec(SRC, 'pkill -u alice -f openclaw; true')
  })
})
