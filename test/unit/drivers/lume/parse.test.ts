import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {parseStorageList} from '../../../../src/drivers/lume/location.js'
import {lumeOciArgv, parseRegistryRef} from '../../../../src/drivers/lume/oci-transport.js'
import {lumeState, parseLumeVm, parseLumeVms, stripLumeLogLines} from '../../../../src/drivers/lume/schema.js'
import {mapLumeFailure} from '../../../../src/drivers/lume/errors.js'
import {lumeArgv} from '../../../../src/drivers/lume/argv.js'
import {caught} from '../../../helpers/caught.js'
import {REPO_ROOT} from '../../../helpers/process.js'

const fixture = (name: string) => readFileSync(path.join(REPO_ROOT, 'test/fixtures/lume', name), 'utf8')
const result = (stderr: string, exitCode = 1) => ({command: 'lume', args: [], exitCode, stdout: '', stderr, timedOut: false, canceled: false, durationMs: 1})

describe('lume output parsers', () => {
  it('parses the verbatim `lume get -f json` sample (an array of one VM)', () => {
    const vm = parseLumeVm(fixture('get-running.json'), 'lume get', 'h')
    expect(vm).toMatchObject({name: 'vitro-macos', os: 'macOS', cpuCount: 4, memorySize: 8_589_934_592, status: 'running', ipAddress: '192.168.64.7', sshAvailable: true, locationName: 'home'})
    expect(vm.diskSize).toEqual({allocated: 22_857_289_728, total: 85_899_345_920})
  })

  it('skips the log lines lume prints on stdout before its JSON and unescapes \\/', () => {
    const text = fixture('ls-with-log-lines.txt')
    expect(stripLumeLogLines(text).startsWith('[\n  {')).toBe(true)
    const vms = parseLumeVms(text, 'lume ls', 'h')
    expect(vms.map((v) => [v.name, v.status, v.locationName])).toEqual([
      ['openclaw-vm', 'running', '/Volumes/VMs/lume'],
      ['base', 'stopped', 'home'],
    ])
    expect(vms[1]?.ipAddress).toBeNull()
  })

  it('reports drift as "unexpected lume output" naming the field', async () => {
    const error = await caught(Promise.resolve().then(() => parseLumeVm(fixture('get-drift.json'), 'lume get x -f json', 'ssh://mac')))
    expect(error).toMatchObject({code: 'unexpected-output'})
    expect((error as Error).message).toMatch(/^unexpected lume output from `lume get x -f json` on ssh:\/\/mac: 0\.cpuCount:/)
  })

  it('refuses non-JSON and a `get` answer with several VMs', () => {
    expect(() => parseLumeVms('[2026-01-01T00:00:00Z] INFO: hello\nNo virtual machines found', 'lume ls', 'h')).toThrow(/unexpected lume output.*not JSON/)
    const two = fixture('ls-with-log-lines.txt')
    expect(() => parseLumeVm(two, 'lume get', 'h')).toThrow(/expected one VM, got 2/)
  })

  it('maps statuses to ocvm states', () => {
    expect(['stopped', 'running', 'provisioning', 'provisioning (stale)', 'pulling'].map((s) => lumeState(s as never))).toEqual(['stopped', 'running', 'busy', 'busy', 'busy'])
  })

  it('parses `config storage list` lines with an absolute path only', () => {
    expect(parseStorageList('home: /Users/me/.lume (default)\nssd: /Volumes/SSD/lume\nbad: relative/path\n')).toEqual(
      new Map([
        ['home', '/Users/me/.lume'],
        ['ssd', '/Volumes/SSD/lume'],
      ]),
    )
  })
})

describe('lume argv', () => {
  it('uses the commands lume really has (run, not start; no export/import)', () => {
    expect(lumeArgv.run('vm')).toEqual(['lume', 'run', 'vm', '--no-display', '--detach'])
    expect(lumeArgv.get('vm')).toEqual(['lume', 'get', 'vm', '-f', 'json'])
    expect(lumeArgv.shutdown('vm', 30)).toEqual(['lume', 'shutdown', 'vm', '-t', '30'])
    expect(lumeArgv.storageAdd('ocvm-1', '/Volumes/x')).toEqual(['lume', 'config', 'storage', 'add', 'ocvm-1', '/Volumes/x'])
  })

  it('builds push/pull from a registry reference and rejects bad ones', () => {
    const ref = parseRegistryRef('registry.example:5000/acme/team/openclaw-vm:moved')
    expect(ref).toEqual({registry: 'registry.example:5000', organization: 'acme/team', image: 'openclaw-vm', tag: 'moved'})
    expect(lumeOciArgv.push('vm', ref)).toEqual(['lume', 'push', 'vm', 'openclaw-vm:moved', '--registry', 'registry.example:5000', '--organization', 'acme/team'])
    expect(lumeOciArgv.pull(ref, 'vm2', '/Volumes/x')).toEqual(['lume', 'pull', 'openclaw-vm:moved', 'vm2', '--registry', 'registry.example:5000', '--organization', 'acme/team', '--storage', '/Volumes/x'])
    expect(() => parseRegistryRef('https://ghcr.io/acme/vm:1')).toThrow(/invalid registry reference/)
    expect(caughtSync(() => parseRegistryRef('ghcr.io/acme/vm'))).toMatchObject({code: 'usage', hint: expect.stringContaining('REGISTRY/ORGANIZATION/IMAGE:TAG')})
  })
})

describe('lume error mapping (reference §1.5 texts)', () => {
  const cases: Array<[string, number, string]> = [
    ['Error: Virtual machine not found: vm1', 1, 'vm-not-found'],
    ["Error: VM 'vm1' not found", 1, 'vm-not-found'],
    ['Error: Virtual machine already running: vm1', 1, 'vm-state'],
    ['Error: Virtual machine not running: vm1', 1, 'vm-state'],
    ["Error: VM 'vm1' is not running", 1, 'vm-state'],
    ['Error: Virtual machine is still being provisioned: vm1', 1, 'vm-state'],
    ['Error: Cannot modify vm1: the VM is running. Stop it first.', 1, 'vm-state'],
    ["Error: VM 'vm1' has no IP address. Wait for it to boot completely.", 1, 'vm-state'],
    ["Error: SSH is not available on VM 'vm1'. Ensure SSH/Remote Login is enabled.", 1, 'vm-state'],
    ['Error: VM location not found: ssd', 1, 'lume-storage'],
    ['Error: Directory already exists at path: /x/vm1', 1, 'vm-exists'],
    ['Error: Missing GitHub credentials. Please set GITHUB_USERNAME and GITHUB_TOKEN environment variables.', 1, 'registry-auth'],
    ["Error: Unexpected argument 'export'\nUsage: lume <subcommand>", 64, 'hypervisor-unavailable'],
  ]
  it.each(cases)('%s (exit %i) → %s', (stderr, exitCode, code) => {
    const error = mapLumeFailure(result(stderr, exitCode), 'ssh://mac')
    expect(error?.code).toBe(code)
    expect(error?.hint).toBeTruthy()
  })

  it('leaves unknown failures to ExternalCommandError', () => {
    expect(mapLumeFailure(result('Error: something new'), 'h')).toBeUndefined()
  })
})

function caughtSync(fn: () => unknown): unknown {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error('expected a throw')
}
