// Secrets never leak. Known secret values are planted in a deployment (gateway token and a provider
// key in openclaw.json, keys in .env, a Baileys key in credentials/whatsapp, an auth profile, a
// systemd unit with a key in Environment= and ExecStart), then inspect, doctor and migrate run with
// --json and with --verbose, failing on purpose at several steps (a corrupted staged file, a target
// that exists, ocvm SIGKILLed mid-run) and resuming. While they run, the command line of every
// process on this machine (the namespace hosts share its pid space) is sampled. None of the values
// may appear in stdout, stderr, error messages, the runs dir (journals, manifests) or any argv; and
// every file ocvm creates on the target that holds one must be 0600 and owned by the target user.
import {randomBytes} from 'node:crypto'
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {DST, hostFsPath, hostUserId, resetHosts, run, runOcvm, SRC} from '../infra/hosts.js'
import {killPids, launchOcvm, processes, readJournal, stepBegun, trialDirs, waitFor} from '../reliability/harness.js'
import {writeSection} from '../reliability/report.js'

beforeAll(resetHosts)

const tag = () => randomBytes(12).toString('hex')
const SECRETS = {
  gatewayToken: `gwtok-${tag()}`,
  providerKey: `sk-proj-${tag()}`,
  envKey: `sk-ant-${tag()}`,
  baileys: Buffer.from(`baileys-${tag()}`).toString('base64'),
  authProfile: `oauth-${tag()}`,
  unitEnv: `unit-${tag()}`,
  unitArgv: `argv-${tag()}`,
}
const VALUES = Object.values(SECRETS)
// --skip-hooks: these hosts have no init system; the hooks have their own suite (hooks.test.ts).
const MIGRATE = ['migrate', '--from', `root@${SRC}`, '--user', 'alice', '--to', `root@${DST}`, '--target-user', 'bob', '--skip-hooks']
const srcState = () => hostFsPath(SRC, '/home/alice/.openclaw')
const dstState = () => hostFsPath(DST, '/home/bob/.openclaw')

const leaks: string[] = []
const loosePerms: string[] = []
const seenArgv = new Set<string>()
let sampler: NodeJS.Timeout | undefined
let samples = 0
let commandRuns = 0
let faults = 0

function scan(where: string, text: string): void {
  for (const [name, value] of Object.entries(SECRETS)) if (text.includes(value)) leaks.push(`${name} in ${where}`)
}

function sampleArgv(): void {
  samples++
  for (const p of processes()) {
    if (seenArgv.has(p.cmdline)) continue
    seenArgv.add(p.cmdline)
    scan(`argv of pid ${p.pid} (${p.cmdline.slice(0, 60)})`, p.cmdline)
  }
}

async function ocvm(args: string[], env: Record<string, string>): Promise<{exitCode: number; stdout: string; stderr: string; json?: unknown}> {
  commandRuns++
  const r = await runOcvm(args, {env, timeoutMs: 300_000})
  scan(`stdout of ocvm ${args.slice(0, 2).join(' ')}`, r.stdout)
  scan(`stderr of ocvm ${args.slice(0, 2).join(' ')}`, r.stderr)
  return r
}

function scanDir(dir: string): number {
  let n = 0
  for (const e of readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) n += scanDir(p)
    else {
      scan(`run file ${p}`, readFileSync(p, 'utf8'))
      // Journals and manifests hold no secret values, and are still private to the user.
      if ((statSync(p).mode & 0o077) !== 0) loosePerms.push(p)
      n++
    }
  }
  return n
}

describe('secret values never leak', () => {
  const {runs, env} = trialDirs('secrets')

  beforeAll(async () => {
    const s = srcState()
    mkdirSync(path.join(s, 'credentials/whatsapp/default'), {recursive: true})
    mkdirSync(path.join(s, 'agents/main/agent'), {recursive: true})
    mkdirSync(path.join(s, 'workspace'), {recursive: true})
    // The workspace path is rewritten, so the dry run shows a diff of this very file: the token on
    // the next lines must not be in it.
    writeFileSync(path.join(s, 'openclaw.json'), `{
  gateway: { mode: "local", bind: "loopback", auth: { mode: "token", token: "${SECRETS.gatewayToken}" } },
  agents: { defaults: { workspace: "/home/alice/.openclaw/workspace" } },
  models: { providers: { openai: { apiKey: "${SECRETS.providerKey}" } } },
}
`)
    writeFileSync(path.join(s, '.env'), `ANTHROPIC_API_KEY=${SECRETS.envKey}\n`)
    writeFileSync(path.join(s, 'credentials/whatsapp/default/creds.json'), JSON.stringify({noiseKey: {private: SECRETS.baileys, public: 'cHVi'}, registered: true}))
    writeFileSync(path.join(s, 'agents/main/agent/auth-profiles.json'), JSON.stringify({profiles: {'anthropic:default': {type: 'oauth', access: SECRETS.authProfile}}}))
    writeFileSync(path.join(s, 'workspace/notes.md'), '# notes\n')
    writeFileSync(path.join(hostFsPath(SRC, '/etc/systemd/system'), 'openclaw-gateway.service'), `[Unit]
Description=OpenClaw gateway
[Service]
User=alice
Environment=OPENAI_API_KEY=${SECRETS.unitEnv}
ExecStart=/usr/local/bin/openclaw gateway run --token ${SECRETS.unitArgv}
[Install]
WantedBy=multi-user.target
`)
    await run('chown', ['-R', 'alice:alice', hostFsPath(SRC, '/home/alice')])
    sampler = setInterval(sampleArgv, 15)
  })

  afterAll(() => {
    if (sampler) clearInterval(sampler)
    rmSync(hostFsPath(SRC, '/etc/systemd/system/openclaw-gateway.service'), {force: true})
    rmSync(hostFsPath(DST, '/usr/local/bin/tar'), {force: true})
    writeSection({
      id: 'secrets',
      title: 'Secret values never leak',
      figures: {trials: commandRuns, faultsInjected: faults, faultsSurvived: faults, badInputs: 0, leaks: leaks.length},
      lines: [
        `${VALUES.length} secret values planted (gateway token and provider key in openclaw.json, .env key, Baileys noise key, auth profile, a systemd unit's Environment= and ExecStart --token). ${commandRuns} ocvm runs (inspect, doctor, migrate --dry-run, migrate failing at verify, at preflight and SIGKILLed mid-run, --resume, with --json and --verbose).`,
        '',
        `Searched: stdout and stderr of every run, every file in the runs dir, and ${seenArgv.size} distinct process command lines from ${samples} samples of /proc/*/cmdline taken during the runs. Leaks found: ${leaks.length}${leaks.length ? ` (${leaks.join('; ')})` : ''}. Target files holding a secret: 0600, owned by the target user.`,
      ],
    })
  })

  it('inspect and doctor, --json and --verbose', async () => {
    for (const extra of [['--json'], ['--verbose']]) {
      const r = await ocvm(['inspect', '--from', `root@${SRC}`, '--user', 'alice', ...extra], env)
      expect(r.exitCode, r.stderr).toBe(0)
      const d = await ocvm(['doctor', '--on', `root@${SRC}`, ...extra], env)
      expect([0, 1, 3]).toContain(d.exitCode)
    }
    expect(leaks).toEqual([])
  })

  it('migrate --dry-run --verbose shows the rewrite diff without the secrets next to it', async () => {
    const r = await ocvm([...MIGRATE, '--dry-run', '--verbose'], env)
    expect(r.exitCode, r.stderr).toBe(0)
    expect(r.stdout + r.stderr).toContain('/home/bob/.openclaw/workspace')
    expect(leaks).toEqual([])
  })

  it('a corrupted staged file fails verify (--verbose), --resume --json completes; a second run fails at preflight', async () => {
    const wrapper = hostFsPath(DST, '/usr/local/bin/tar')
    writeFileSync(wrapper, `#!/bin/sh
/usr/bin/tar "$@"; rc=$?
f=./workspace/notes.md
if [ -f "$f" ]; then printf 'X' >> "$f"; rm -f "$0"; fi
exit $rc
`)
    chmodSync(wrapper, 0o755)
    const failed = await ocvm([...MIGRATE, '--yes', '--verbose'], env)
    faults++
    expect(failed.exitCode, failed.stderr).toBe(1)
    expect(failed.stderr).toMatch(/differs workspace\/notes\.md/)
    const runId = readJournal(runs)?.runId ?? ''
    const resumed = await ocvm(['migrate', '--resume', runId, '--json', '--verbose'], env)
    expect(resumed.exitCode, resumed.stderr + resumed.stdout).toBe(0)
    const again = await ocvm([...MIGRATE, '--yes', '--json', '--force', '--dry-run'], env)
    expect(again.exitCode).toBe(0)
    // A fresh runs dir, so the completed run does not make this a no-op: it must refuse at preflight.
    const exists = await ocvm([...MIGRATE, '--yes', '--json'], {...env, OCVM_RUNS_DIR: `${runs}-2`})
    faults++
    expect(exists.exitCode).toBe(1)
    expect(exists.json).toMatchObject({status: 'failed', error: {code: 'target-exists'}})

    // Files on the target that hold a secret: 0600, owned by bob.
    const bob = hostUserId('bob')
    for (const rel of ['openclaw.json', '.env', 'credentials/whatsapp/default/creds.json', 'agents/main/agent/auth-profiles.json']) {
      const st = statSync(path.join(dstState(), rel))
      expect((st.mode & 0o777).toString(8), rel).toBe('600')
      expect(st.uid, rel).toBe(bob.uid)
    }
    expect(leaks).toEqual([])
  })

  it('ocvm SIGKILLed mid-run (--verbose), then --resume: nothing leaks from the journal or argv', async () => {
    rmSync(dstState(), {recursive: true, force: true})
    const dirs = trialDirs('secrets-kill')
    const child = launchOcvm([...MIGRATE, '--yes', '--verbose'], dirs.env)
    commandRuns++
    expect(await waitFor(child, () => stepBegun(dirs.runs, 'rewrite'))).toBe(true)
    killPids([child.pid])
    await child.exited
    faults++
    scan('stderr of the killed run', child.output().stderr)
    const runId = readJournal(dirs.runs)?.runId ?? ''
    const r = await ocvm(['migrate', '--resume', runId, '--verbose'], dirs.env)
    expect(r.exitCode, r.stderr).toBe(0)
    sampleArgv()
    const files = scanDir(runs) + scanDir(dirs.runs) + (existsSync(`${runs}-2`) ? scanDir(`${runs}-2`) : 0)
    expect(files).toBeGreaterThan(3)
    // The runs dir itself is private.
    expect((statSync(dirs.runs).mode & 0o077)).toBe(0)
    expect(samples).toBeGreaterThan(50)
    // The sampler saw the hosts' side too (no pid namespace): the remote shells that checksum files.
    expect([...seenArgv].some((c) => !c.startsWith('ssh') && c.includes('sha256sum'))).toBe(true)
    expect(loosePerms).toEqual([])
    expect(leaks).toEqual([])
  })
})
