import {mkdir, mkdtemp, rm, symlink, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {probeHost, parseOpenclawVersion} from '../../../src/deployment/host-facts.js'
import {existingPaths, listTrees, parseTreeListing, readEnvKeys, readTextFile} from '../../../src/hosts/remote-fs.js'
import {OcvmError} from '../../../src/errors.js'
import {createRunner} from '../../../src/exec/runner.js'
import {LOCAL} from '../../../src/hosts/host-spec.js'
import {createShell} from '../../../src/hosts/shell.js'

// These run the real shell scripts (find, awk, cat) on this machine through a local Shell: the same
// scripts ocvm sends over ssh.
const shell = createShell(LOCAL, createRunner(), {controlDir: tmpdir()})
let dir: string

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'ocvm-rfs-'))
  await mkdir(path.join(dir, 'state/credentials/whatsapp/default'), {recursive: true})
  await writeFile(path.join(dir, 'state/openclaw.json'), '{ gateway: { mode: "local" } }')
  await writeFile(path.join(dir, 'state/credentials/whatsapp/default/creds.json'), 'x'.repeat(1234), {mode: 0o600})
  await writeFile(path.join(dir, 'state/odd name\twith tab.json'), 'abc')
  await writeFile(path.join(dir, 'state/new\nline.json'), 'abcd')
  await symlink('/etc/hostname', path.join(dir, 'state/link'))
  await writeFile(path.join(dir, 'secrets.env'), [
    '# comment',
    'ANTHROPIC_API_KEY=sk-ant-super-secret-value',
    'export GITHUB_TOKEN="github_pat_abcdef"',
    'EMPTY_ONE=',
    'EMPTY_QUOTED=""',
    "OPTIONAL_KEY='not-configured'",
    'WITH_EQUALS=a=b=c',
    '  SPACED = value',
    'not a line',
  ].join('\n'))
})
afterAll(async () => rm(dir, {recursive: true, force: true}))

describe('listTrees (GNU find on this machine)', () => {
  it('lists files with size, mode, type and odd names, and reports missing roots', async () => {
    const listing = await listTrees(shell, [path.join(dir, 'state'), path.join(dir, 'nope')])
    const byName = new Map(listing.entries.map((e) => [path.basename(e.path), e]))
    expect(byName.get('creds.json')).toMatchObject({type: 'file', size: 1234, mode: 0o600})
    expect(byName.get('odd name\twith tab.json')).toMatchObject({type: 'file', size: 3})
    expect(byName.get('new\nline.json')).toMatchObject({type: 'file', size: 4})
    expect(byName.get('link')).toMatchObject({type: 'symlink', linkTarget: '/etc/hostname'})
    expect(byName.get('whatsapp')?.type).toBe('dir')
    expect(listing.missing).toEqual([path.join(dir, 'nope')])
  })

  it('parses the BSD stat form too', () => {
    const out = 'E\tRegular File\t10\t600\talice\t/Users/alice/.openclaw/openclaw.json\t\0E\tSymbolic Link\t4\t755\talice\t/Users/alice/.openclaw/l\t/tmp\0M\t/gone\0'
    const listing = parseTreeListing(out, "find: '/Users/alice/.openclaw/private': Permission denied\n")
    expect(listing.entries).toEqual([
      {type: 'file', size: 10, mode: 0o600, owner: 'alice', path: '/Users/alice/.openclaw/openclaw.json'},
      {type: 'symlink', size: 4, mode: 0o755, owner: 'alice', path: '/Users/alice/.openclaw/l', linkTarget: '/tmp'},
    ])
    expect(listing.missing).toEqual(['/gone'])
    expect(listing.denied).toEqual(['/Users/alice/.openclaw/private'])
  })
})

describe('readEnvKeys', () => {
  it('returns key names and emptiness, never values', async () => {
    const [file, missing] = await readEnvKeys(shell, [path.join(dir, 'secrets.env'), path.join(dir, 'none.env')])
    expect(file?.status).toBe('ok')
    expect(file?.keys).toEqual([
      {name: 'ANTHROPIC_API_KEY', value: 'set'},
      {name: 'GITHUB_TOKEN', value: 'set'},
      {name: 'EMPTY_ONE', value: 'empty'},
      {name: 'EMPTY_QUOTED', value: 'empty'},
      {name: 'OPTIONAL_KEY', value: 'placeholder'},
      {name: 'WITH_EQUALS', value: 'set'},
      {name: 'SPACED', value: 'set'},
    ])
    expect(missing).toEqual({file: path.join(dir, 'none.env'), status: 'missing', keys: []})
    expect(JSON.stringify(file)).not.toMatch(/super-secret|github_pat/)
  })
})

describe('readTextFile and existingPaths', () => {
  it('reads, reports missing as undefined, refuses directories', async () => {
    expect(await readTextFile(shell, path.join(dir, 'state/openclaw.json'))).toBe('{ gateway: { mode: "local" } }')
    expect(await readTextFile(shell, path.join(dir, 'state/absent.json'))).toBeUndefined()
    await expect(readTextFile(shell, path.join(dir, 'state'))).rejects.toBeInstanceOf(OcvmError)
  })

  it('tells which paths exist, including dangling symlinks', async () => {
    await symlink(path.join(dir, 'nowhere'), path.join(dir, 'dangling'))
    const found = await existingPaths(shell, [path.join(dir, 'state'), path.join(dir, 'dangling'), path.join(dir, 'x y')])
    expect([...found].sort()).toEqual([path.join(dir, 'dangling'), path.join(dir, 'state')])
  })
})

describe('probeHost (this machine)', () => {
  it('reports OS, user, home and tools', async () => {
    const facts = await probeHost(shell, undefined)
    expect(facts.os).toBe('linux')
    expect(facts.loginUser).toBe(process.env.USER ?? facts.loginUser)
    expect(facts.home).toBe(process.env.HOME)
    expect(facts.tools.tar).toBe(true)
  })

  it('resolves another user\'s home, and fails clearly for an unknown user', async () => {
    expect((await probeHost(shell, 'root')).home).toBe('/root')
    await expect(probeHost(shell, 'no-such-user-ocvm')).rejects.toThrow(/user "no-such-user-ocvm" does not exist on local/)
    await expect(probeHost(shell, 'x;rm -rf /')).rejects.toThrow(/invalid user name/)
  })

  it('parses OpenClaw version strings', () => {
    expect(parseOpenclawVersion('OpenClaw 2026.9.6 (eb377ac)')).toBe('2026.9.6')
    expect(parseOpenclawVersion('2026.2.22-1')).toBe('2026.2.22-1')
    expect(parseOpenclawVersion('command not found')).toBeUndefined()
  })
})
