import {chmod, mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {UnsupportedError} from '../../../src/errors.js'
import {systemdUnit, unitProblems, type ServiceSpec} from '../../../src/postmigrate/service-definitions.js'
import {envAssignment, execLine, execWord, unitValue} from '../../../src/postmigrate/systemd-escape.js'
import {run} from '../../helpers/process.js'

describe('systemd escaping', () => {
  it('doubles % in plain values, which need no quotes for spaces', () => {
    expect(unitValue('/home/my user/100%h', 'the home')).toBe('/home/my user/100%%h')
    expect(unitValue('/home/openclaw', 'the home')).toBe('/home/openclaw')
  })

  it('refuses what a plain value cannot hold: line breaks, blanks at the ends, a trailing backslash', () => {
    for (const bad of ['/home/a\nExecStartPre=/bin/evil', ' /home/a', '/home/a ', '/home/a\\']) {
      expect(() => unitValue(bad, 'the home')).toThrow(UnsupportedError)
    }
  })

  it('quotes command-line words with blanks, quotes or backslashes; doubles % and $', () => {
    expect(execWord('/usr/local/bin/openclaw', 'x')).toBe('/usr/local/bin/openclaw')
    expect(execWord('/opt/my apps/openclaw', 'x')).toBe('"/opt/my apps/openclaw"')
    expect(execWord('--dir=/opt/50%/$HOME', 'x')).toBe('--dir=/opt/50%%/$$HOME')
    // The program itself is not substituted: its $ stays.
    expect(execWord('/opt/50%/$HOME/bin', 'x', 'program')).toBe('/opt/50%%/$HOME/bin')
    expect(execWord('/opt/"q" \\ it\'s', 'x')).toBe('"/opt/\\"q\\" \\\\ it\'s"')
    expect(execWord('', 'x')).toBe('""')
    expect(execWord(';', 'x')).toBe('\\;')
    expect(execLine(['/opt/my apps/$x', 'gateway', '$x'], 'x')).toBe('"/opt/my apps/$x" gateway $$x')
    expect(() => execWord('/bin/a\nb', 'x')).toThrow(UnsupportedError)
  })

  it('quotes an Environment= assignment as a whole, doubles % and leaves $ alone', () => {
    expect(envAssignment('OPENCLAW_GATEWAY_PORT', '18789')).toBe('OPENCLAW_GATEWAY_PORT=18789')
    expect(envAssignment('HOME', '/home/my user')).toBe('"HOME=/home/my user"')
    expect(envAssignment('A', '100%')).toBe('A=100%%')
    expect(envAssignment('A', '$HOME')).toBe('A=$HOME')
    expect(envAssignment('A', 'say "hi" \\o/')).toBe('"A=say \\"hi\\" \\\\o/"')
  })
})

// The unit as systemd itself reads it: the real systemd-analyze verify (no running systemd needed)
// on a unit whose paths hold spaces, %, $, quotes and a backslash. Unescaped, %Q is an unknown
// specifier it refuses, and the unquoted ExecStart path names a file that does not exist.
describe('a unit with awkward paths, checked by the real systemd-analyze verify', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ocvm-unit-'))
  })
  afterAll(async () => rm(dir, {recursive: true, force: true}))

  it('is accepted without a complaint', async () => {
    const home = path.join(dir, 'home of "bob" 100%Q $HOME it\'s a\\b')
    const bin = path.join(dir, 'my apps %Q $PATH', 'open claw')
    await mkdir(path.join(home, '.openclaw/logs'), {recursive: true})
    await mkdir(path.dirname(bin), {recursive: true})
    await writeFile(bin, '#!/bin/sh\n')
    await chmod(bin, 0o755)
    const spec: ServiceSpec = {
      name: 'openclaw-gateway-w%Q.service', instance: 'w%Q', user: 'root', group: 'root', home, stateDir: path.join(home, '.openclaw'),
      configPath: path.join(home, '.openclaw/openclaw.json'), port: 18789, openclaw: bin, path: `${path.dirname(bin)}:/usr/bin:/bin`,
      logDir: path.join(home, '.openclaw/logs'), secretsFile: path.join(home, 'secrets 100%Q.env'),
    }
    const unit = systemdUnit(spec)
    expect(unit).toContain(`ExecStart="${dir}/my apps %%Q $PATH/open claw" gateway run\n`)
    expect(unit).toContain(`WorkingDirectory=${dir}/home of "bob" 100%%Q $HOME it's a\\b\n`)
    expect(unit).toContain(`Environment="HOME=${dir}/home of \\"bob\\" 100%%Q $HOME it's a\\\\b"\n`)
    expect(unit).toContain('Description=OpenClaw gateway (w%%Q) for root\n')
    const file = path.join(dir, 'openclaw-gateway.service')
    await writeFile(file, unit)
    const r = await run('systemd-analyze', ['verify', '--man=no', file])
    expect(unitProblems(r.stderr, 'openclaw-gateway.service')).toEqual([])
    expect(r.exitCode).toBe(0)
  })
})
