import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'

import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {ShellPool} from '../../../src/hosts/shell.js'
import {countRetargeted, describeRetargeted, retargetHostSpecific} from '../../../src/rewrite/retarget-host-specific.js'
import {applyRetargets, decideRetarget, findHostSpecific, retargetKey} from '../../../src/rewrite/host-specific.js'

const CONFIG = `{
  // pinned on the Mac
  memory: {search: {store: {vector: {extensionPath: "/Users/alice/lib/vec0.dylib"}}}},
  cliBackends: {claude: {command: "/opt/homebrew/bin/sh"}, other: {command: "claude"}},
  channels: {signal: {cliPath: "/opt/homebrew/bin/ocvm-no-such-tool"}},
  browser: {executablePath: "/bin/sh"},
  agents: {defaults: {workspace: "/Users/alice/ws"}},
}
`

describe('findHostSpecific', () => {
  it('finds absolute programs and libraries pinned in the config, not data paths or bare names', () => {
    expect(findHostSpecific(CONFIG)).toEqual([
      {key: 'memory.search.store.vector.extensionPath', value: '/Users/alice/lib/vec0.dylib', kind: 'library'},
      {key: 'cliBackends.claude.command', value: '/opt/homebrew/bin/sh', kind: 'executable'},
      {key: 'channels.signal.cliPath', value: '/opt/homebrew/bin/ocvm-no-such-tool', kind: 'executable'},
      {key: 'browser.executablePath', value: '/bin/sh', kind: 'executable'},
    ])
  })

  it('knows where 2026.9 pins signal-cli (transport.cliPath, per account too) and the per-agent extensionPath', () => {
    const text = `{
  channels: {signal: {transport: {kind: "managed-native", cliPath: "/opt/homebrew/bin/signal-cli"}, accounts: {work: {transport: {kind: "managed-native", cliPath: "/opt/homebrew/bin/signal-cli"}}}}},
  agents: {entries: {main: {memory: {search: {store: {vector: {extensionPath: "/opt/homebrew/lib/vec0.dylib"}}}}}}},
}`
    expect(findHostSpecific(text).map((v) => `${v.key} ${v.kind}`)).toEqual([
      'channels.signal.transport.cliPath executable',
      'channels.signal.accounts.work.transport.cliPath executable',
      'agents.entries.main.memory.search.store.vector.extensionPath library',
    ])
  })
})

describe('decideRetarget / applyRetargets', () => {
  it('keeps what exists, re-points a program found by name, clears a missing library, reports the rest', () => {
    const lib = {key: 'a.store.vector.extensionPath', value: '/x/vec0.dylib', kind: 'library' as const}
    const exe = {key: 'browser.executablePath', value: '/opt/homebrew/bin/chromium', kind: 'executable' as const}
    expect(decideRetarget(lib, true, undefined)).toEqual({action: 'keep'})
    expect(decideRetarget(lib, false, undefined)).toEqual({action: 'clear'})
    expect(decideRetarget(exe, false, '/usr/bin/chromium')).toEqual({action: 'redetect', to: '/usr/bin/chromium'})
    expect(decideRetarget(exe, false, undefined)).toEqual({action: 'missing'})
    const text = '{browser: {executablePath: "/opt/homebrew/bin/chromium"}, // keep me\n a: {store: {vector: {extensionPath: "/x/vec0.dylib"}}}}'
    const out = applyRetargets(text, new Map([[retargetKey(exe), {action: 'redetect', to: '/usr/bin/chromium'}], [retargetKey(lib), {action: 'clear'}]]))
    expect(out.text).toBe('{browser: {executablePath: "/usr/bin/chromium"}, // keep me\n a: {store: {vector: {extensionPath: ""}}}}')
  })
})

describe('retargetHostSpecific (on this machine)', () => {
  let dir: string
  afterEach(() => rmSync(dir, {recursive: true, force: true}))

  it('rewrites the staged config in place and reports each decision', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ocvm-retarget-'))
    const file = path.join(dir, 'openclaw.json')
    writeFileSync(file, CONFIG, {mode: 0o600})
    const shell = new ShellPool({runner: createRunner(), ssh: {}}).get(LOCAL)
    const report = await retargetHostSpecific(shell, [{readPath: file, finalPath: '/home/bob/.openclaw/openclaw.json'}], '/home/bob', true)
    const sh = report.find((r) => r.key === 'cliBackends.claude.command')
    expect(sh?.action).toBe('redetect')
    expect(sh?.to).toMatch(/^\/(usr\/)?bin\/sh$/)
    expect(report.find((r) => r.key === 'memory.search.store.vector.extensionPath')?.action).toBe('clear')
    expect(report.find((r) => r.key === 'channels.signal.cliPath')?.action).toBe('missing')
    expect(report.some((r) => r.key === 'browser.executablePath')).toBe(false)
    const text = readFileSync(file, 'utf8')
    expect(text).toContain('// pinned on the Mac')
    expect(text).toContain('extensionPath: ""')
    expect(text).toContain(`command: "${sh?.to}"`)
    expect(text).toContain('cliPath: "/opt/homebrew/bin/ocvm-no-such-tool"')
    expect(report.map(describeRetargeted).join('\n')).toMatch(/install it, then set channels.signal.cliPath/)
    expect(countRetargeted(report)).toBe('1 pinned program path(s) re-detected for this host, 1 pinned library path(s) cleared (OpenClaw loads its own build), 1 pinned program(s) missing here, left as they were (see the next steps)')
  })
})

describe('countRetargeted', () => {
  it('never counts a program that is missing on the target as re-detected', () => {
    const missing = {file: '/home/bob/.openclaw/openclaw.json', key: 'channels.signal.cliPath', from: '/opt/homebrew/bin/signal-cli', action: 'missing' as const}
    expect(countRetargeted([missing])).toBe('1 pinned program(s) missing here, left as they were (see the next steps)')
    expect(countRetargeted([missing])).not.toContain('re-detected')
    expect(countRetargeted([])).toBe('')
  })
})
