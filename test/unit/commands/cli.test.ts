import {cp, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import type {Inventory} from '../../../src/deployment/types.js'
import {REPO_ROOT, runCli} from '../../helpers/cli.js'
import {run} from '../../helpers/process.js'

// The built CLI, end to end on this machine, against the bundled sample deployment and broken copies
// of it. (`npm test` builds dist/ before running the tests.)
let scratch: string
let home: string
const env = () => ({HOME: home, XDG_CACHE_HOME: path.join(scratch, 'cache'), XDG_CONFIG_HOME: path.join(scratch, 'config'), OPENCLAW_STATE_DIR: '', OPENCLAW_CONFIG_PATH: ''})

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'ocvm-cli-'))
  home = path.join(scratch, 'alice')
  await cp(path.join(REPO_ROOT, 'examples/sample-deployment/home/alice'), home, {recursive: true})
})
afterAll(async () => rm(scratch, {recursive: true, force: true}))

describe('ocvm inspect (local, sample deployment)', () => {
  it('reports every component with its treatment, as JSON on stdout only', async () => {
    const result = await runCli(['inspect', '--json'], {env: env()})
    expect(result.exitCode).toBe(0)
    const inv = result.json as Inventory
    expect(inv.stateDir).toBe(path.join(home, '.openclaw'))
    expect(inv.version.config).toBe('2026.2.19')
    expect(inv.layout.generation).toBe('jsonl')
    const byId = new Map(inv.components.map((c) => [c.id, c]))
    expect(byId.get('workspace:search')).toMatchObject({treatment: 'transfer', outsideStateDir: true, fileCount: 2})
    expect(byId.get('whatsapp:default')).toMatchObject({treatment: 'transfer', fileCount: 41})
    expect(byId.get('signal')).toMatchObject({treatment: 're-pair', present: true})
    expect(byId.get('memory-index')).toMatchObject({treatment: 'rebuild'})
    expect(byId.get('sessions:main')).toMatchObject({treatment: 'optional', fileCount: 4})
    expect(byId.get('services')).toMatchObject({present: false, treatment: 'recreate'})
    expect(inv.configFiles.map((f) => path.basename(f.path))).toEqual(['openclaw.json', 'agents.json5'])
    expect(inv.secrets.map((s) => [s.name, s.state])).toEqual([['BRAVE_API_KEY', 'empty'], ['OPENCLAW_GATEWAY_TOKEN', 'set']])
    expect(inv.findings.map((f) => f.code)).toEqual(expect.arrayContaining(['placeholder-allow-from', 'empty-env', 'plugin-dir-mismatch', 'path-not-found', 'signal-re-pair']))
    // The sample's .env holds this value: inspect never reads it off the host.
    expect(result.stdout + result.stderr).not.toContain('sample-gateway-token-not-a-real-secret')
  })

  it('prints a human report with the table and findings', async () => {
    const result = await runCli(['inspect'], {env: env()})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toMatch(/COMPONENT\s+TREATMENT\s+SIZE\s+FILES\s+WHERE/)
    expect(result.stdout).toMatch(/Workspace \(search\)\s+transfer .* ~\/research-ws\/search\s+\[outside state dir\]/)
    expect(result.stdout).toContain('WARN  extension dir "openclaw-image-gen" does not match its manifest id "image-gen"')
  })
})

describe('--quiet (-q)', () => {
  it('prints no step lines on stderr and the same report on stdout', async () => {
    const loud = await runCli(['inspect'], {env: env()})
    expect(loud.stderr).toMatch(/^› Probing local/m)
    for (const flag of ['-q', '--quiet']) {
      const quiet = await runCli(['inspect', flag], {env: env()})
      expect(quiet.exitCode).toBe(0)
      expect(quiet.stderr).toBe('')
      expect(quiet.stdout).toBe(loud.stdout)
    }
  })

  it('still prints the error and its hint, and the exit code', async () => {
    const r = await runCli(['inspect', '-q', '--state-dir', path.join(scratch, 'nothing-here')], {env: env()})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toMatch(/^Error: no OpenClaw deployment found on local/m)
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(r.stderr).not.toContain('›')
  })
})

describe('bad input: a clear error, a hint, the right exit code, no stack trace', () => {
  const expectCleanError = (r: {stderr: string; stdout: string}) => {
    expect(r.stderr).toMatch(/^Error: /m)
    expect(r.stderr).toMatch(/^Hint: /m)
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at .*\.(js|ts):\d+/)
  }

  it('no deployment found → exit 1 naming where it looked', async () => {
    const r = await runCli(['inspect', '--state-dir', path.join(scratch, 'nothing-here')], {env: env()})
    expect(r.exitCode).toBe(1)
    expectCleanError(r)
    expect(r.stderr).toContain(`no OpenClaw deployment found on local (looked in ${path.join(scratch, 'nothing-here')})`)
  })

  it('a JSON5 syntax error → exit 1 with file:line:column', async () => {
    const state = path.join(scratch, 'broken-syntax')
    await mkdir(state, {recursive: true})
    await writeFile(path.join(state, 'openclaw.json'), '{\n  gateway: { mode: "local" }\n  agents: {}\n}\n')
    const r = await runCli(['inspect', '--state-dir', state], {env: env()})
    expect(r.exitCode).toBe(1)
    expectCleanError(r)
    expect(r.stderr).toContain(`${path.join(state, 'openclaw.json')}:3:3: JSON5 syntax error`)
  })

  it('an $include that escapes the config dir, and an $include loop → exit 1', async () => {
    const state = path.join(scratch, 'escape')
    await mkdir(state, {recursive: true})
    await writeFile(path.join(state, 'openclaw.json'), '{ agents: { $include: "../../../etc/openclaw.json5" } }')
    const escape = await runCli(['inspect', '--state-dir', state], {env: env()})
    expect(escape.exitCode).toBe(1)
    expectCleanError(escape)
    expect(escape.stderr).toContain('escapes the config directory')

    const loop = path.join(scratch, 'loop')
    await mkdir(loop, {recursive: true})
    await writeFile(path.join(loop, 'openclaw.json'), '{ a: { $include: "./a.json5" } }')
    await writeFile(path.join(loop, 'a.json5'), '{ b: { $include: "./openclaw.json" } }')
    const r = await runCli(['inspect', '--state-dir', loop, '--json'], {env: env()})
    expect(r.exitCode).toBe(1)
    expect(r.json).toMatchObject({status: 'failed', error: {code: 'config-invalid'}})
    expect((r.json as {error: {message: string}}).error.message).toContain('$include loop: openclaw.json -> a.json5 -> openclaw.json')
  })

  it('a malformed host spec and an unknown flag → exit 2', async () => {
    const host = await runCli(['inspect', '--from', '-oProxyCommand=touch /tmp/pwned'], {env: env()})
    expect(host.exitCode).toBe(2)
    expectCleanError(host)
    const flag = await runCli(['inspect', '--no-such-flag'], {env: env()})
    expect(flag.exitCode).toBe(2)
    expectCleanError(flag)
  })

  it('a missing required flag → exit 2 naming the flag, in words and in --json', async () => {
    const r = await runCli(['verify'], {env: env()})
    expect(r.exitCode).toBe(2)
    expectCleanError(r)
    expect(r.stderr).toContain('Error: Missing required flag --on\n')
    expect(r.stderr).toContain('Hint: Run `ocvm verify --help` to see its arguments, flags and examples.')
    expect(r.stderr).not.toContain('The following error occurred')
    const json = await runCli(['verify', '--json'], {env: env()})
    expect(json.exitCode).toBe(2)
    expect(json.json).toEqual({status: 'failed', error: {code: 'usage', message: 'Missing required flag --on', hint: 'Run `ocvm verify --help` to see its arguments, flags and examples.', exitCode: 2, flags: ['on']}})
  })

  it('a missing argument → exit 2 naming the argument, in words and in --json', async () => {
    const r = await runCli(['import'], {env: env()})
    expect(r.exitCode).toBe(2)
    expectCleanError(r)
    expect(r.stderr).toMatch(/^Error: Missing required argument FILE: The archive \(ocvm export, or openclaw backup create\); for a VM the dir or \.tar from ocvm export --driver\.$/m)
    expect(r.stderr).toContain('Hint: Run `ocvm import --help`')
    const json = await runCli(['import', '--json'], {env: env()})
    expect(json.exitCode).toBe(2)
    expect(json.json).toMatchObject({status: 'failed', error: {code: 'usage', message: expect.stringMatching(/^Missing required argument FILE: /), exitCode: 2, args: ['file']}})
    expect(json.stderr).toBe('')
  })

  it('an unknown --user → exit 1', async () => {
    const r = await runCli(['inspect', '--user', 'no-such-user-ocvm'], {env: env()})
    expect(r.exitCode).toBe(1)
    expect(r.stderr).toContain('user "no-such-user-ocvm" does not exist on local')
  })
})

describe('other commands', () => {
  it('drivers list shows the built-in drivers and where they come from', async () => {
    const r = await runCli(['drivers', 'list', '--json'], {env: env()})
    expect(r.exitCode).toBe(0)
    expect(r.json).toEqual({
      drivers: expect.arrayContaining([
        expect.objectContaining({name: 'file', source: 'builtin', capabilities: expect.objectContaining({level: 'state'})}),
        expect.objectContaining({name: 'libvirt', source: 'builtin', capabilities: expect.objectContaining({level: 'image', live: true})}),
        expect.objectContaining({name: 'lume', source: 'builtin', capabilities: expect.objectContaining({level: 'image', export: true})}),
        expect.objectContaining({name: 'parallels', source: 'builtin', capabilities: expect.objectContaining({level: 'image', export: true})}),
        expect.objectContaining({name: 'multipass', source: 'builtin', capabilities: expect.objectContaining({level: 'image', export: false, guestExec: true})}),
      ]),
      warnings: [],
    })
  })

  it('doctor checks this machine', async () => {
    const r = await runCli(['doctor', '--json'], {env: env()})
    expect(r.exitCode).toBe(0)
    const checks = (r.json as {checks: Array<{name: string; status: string}>}).checks
    expect(checks.find((c) => c.name === 'tar')?.status).toBe('ok')
    expect(checks.map((c) => c.name)).toEqual(expect.arrayContaining(['reachable', 'zstd', 'rsync', 'openclaw', 'disk']))
  })

  it('-h is --help', async () => {
    const r = await runCli(['migrate', '-h'])
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toMatch(/^USAGE\n  \$ ocvm migrate /m)
    expect(r.stderr).toBe('')
  })

  it('a mistyped command → did you mean, exit 2, without waiting on a prompt when stdin is no terminal', async () => {
    // runCli gives the CLI a pipe for stdin (closed at once); a prompt would wait 10 s for an answer.
    const r = await runCli(['migrat', '--from', 'a', '--to', 'b'], {env: env(), timeoutMs: 5000})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toBe('Error: "migrat" is not an ocvm command\nHint: Did you mean `ocvm migrate`? `ocvm help` lists the commands.\n')
    const json = await runCli(['drivers', 'lst', '--json'], {env: env(), timeoutMs: 5000})
    expect(json.exitCode).toBe(2)
    expect(json.json).toMatchObject({status: 'failed', error: {code: 'usage', command: 'drivers lst', suggestion: 'drivers list', exitCode: 2}})
    const far = await runCli(['xyzzy'], {env: env(), timeoutMs: 5000})
    expect(far.exitCode).toBe(2)
    expect(far.stderr).toBe('Error: "xyzzy" is not an ocvm command\nHint: `ocvm help` lists the commands.\n')
  })

  it('generates a bash completion that completes commands and flags', async () => {
    // What the instructions say: `ocvm autocomplete bash` (builds the completion cache), then the script.
    const instructions = await runCli(['autocomplete', 'bash'], {env: env()})
    expect(instructions.exitCode).toBe(0)
    expect(instructions.stdout).toContain('ocvm autocomplete script bash')
    const r = await runCli(['autocomplete', 'script', 'bash'], {env: env()})
    expect(r.exitCode).toBe(0)
    const setup = /OCVM_AC_BASH_SETUP_PATH=(\S+)/.exec(r.stdout)?.[1]
    expect(setup).toBe(path.join(scratch, 'cache/ocvm/autocomplete/bash_setup'))
    const complete = async (...words: string[]) => {
      const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; _ocvm_autocomplete; printf '%s\\n' "\${COMPREPLY[@]}"`
      const out = await run('bash', ['-c', script, 'bash', setup ?? '', 'ocvm', ...words])
      expect(out.exitCode).toBe(0)
      return out.stdout.trim().split('\n')
    }
    expect(await complete('mig')).toEqual(['migrate'])
    expect(await complete('verify', '--o')).toEqual(['--on'])
  })

  it('every command has --help', async () => {
    for (const cmd of [['inspect'], ['doctor'], ['drivers', 'list'], ['drivers', 'doctor']]) {
      const r = await runCli([...cmd, '--help'])
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toMatch(/USAGE/)
      expect(r.stdout).toMatch(/--json/)
    }
  })
})

describe('colour', () => {
  // `script` gives the CLI a real terminal (a pty) for stdin, stdout and stderr.
  const onTerminal = (args: string, extra: Record<string, string | undefined>) =>
    run('script', ['-qec', `${process.execPath} bin/run.js ${args}`, '/dev/null'], {env: {...env(), NO_COLOR: undefined, FORCE_COLOR: undefined, TERM: 'xterm', ...extra}})

  it('on a terminal: ERROR red, WARN yellow, and the Error line of a failure red', async () => {
    const r = await onTerminal('inspect', {})
    expect(r.exitCode).toBe(0)
    expect(r.stdout).toContain('  \u001B[31mERROR\u001B[39m BRAVE_API_KEY is set to an empty value')
    expect(r.stdout).toContain('  \u001B[33mWARN\u001B[39m  extension dir "openclaw-image-gen"')
    const failed = await onTerminal('verify', {})
    expect(failed.exitCode).toBe(2)
    expect(failed.stdout).toContain('\u001B[31mError:\u001B[39m Missing required flag --on')
  })

  it('NO_COLOR: not one escape code on a terminal, FORCE_COLOR or not', async () => {
    for (const extra of [{NO_COLOR: '1'}, {NO_COLOR: '1', FORCE_COLOR: '1'}]) {
      const r = await onTerminal('inspect', extra)
      expect(r.exitCode).toBe(0)
      expect(r.stdout).toContain('ERROR BRAVE_API_KEY')
      expect(r.stdout).not.toContain('\u001B')
    }
  })

  it('FORCE_COLOR colours into a pipe', async () => {
    const r = await runCli(['verify'], {env: {...env(), NO_COLOR: '', FORCE_COLOR: '1'}})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toContain('\u001B[31mError:\u001B[39m Missing required flag --on')
  })
})
