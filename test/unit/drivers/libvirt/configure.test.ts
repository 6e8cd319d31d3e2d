// Which libvirt URI each verb uses once the driver is bound to a run (--connect, --target-connect):
// a recording Shell per host answers like virsh 9 would, and fails on anything it does not expect.
import {describe, expect, it} from 'vitest'

import type {Context} from '../../../../src/context.js'
import {configureDriver} from '../../../../src/drivers/configure.js'
import {libvirtDriver} from '../../../../src/drivers/libvirt/index.js'
import type {RunResult} from '../../../../src/exec/runner.js'
import {formatHostSpec, type HostSpec} from '../../../../src/hosts/host-spec.js'
import type {Shell} from '../../../../src/hosts/shell.js'
import {silentReporter} from '../../../../src/output/reporter.js'
import {UsageError} from '../../../../src/errors.js'
import {caught} from '../../../helpers/caught.js'

const SRC: HostSpec = {kind: 'ssh', host: '10.0.0.2', user: 'root'}
const DST: HostSpec = {kind: 'ssh', host: '10.0.0.3', user: 'root'}

function world(answer: (label: string, argv: readonly string[]) => Partial<RunResult> | undefined) {
  const calls: Array<{host: string; argv: readonly string[]}> = []
  const shellFor = (host: HostSpec): Shell => {
    const label = formatHostSpec(host)
    const exec = async (argv: readonly string[]): Promise<RunResult> => {
      // A batch (hosts/batch.ts) is answered command by command, framed as its script frames them.
      if (argv[0] === 'sh' && argv[2]?.includes('OCVM-BATCH')) {
        const words = argv.slice(4)
        const frames: Buffer[] = []
        for (let i = 0; i < words.length; ) {
          const n = Number(words[i])
          const r = await exec(words.slice(i + 1, i + 1 + n))
          const [out, err] = [Buffer.from(r.stdout), Buffer.from(r.stderr)]
          frames.push(Buffer.from(`OCVM-BATCH ${r.exitCode} ${out.length} ${err.length}\n`), out, err)
          i += 1 + n
        }
        return {command: 'sh', args: argv.slice(1), exitCode: 0, stdout: '', stdoutBytes: Buffer.concat(frames), stderr: '', timedOut: false, canceled: false, durationMs: 1}
      }
      calls.push({host: label, argv})
      const r = answer(label, argv)
      if (!r) throw new Error(`unexpected command on ${label}: ${argv.join(' ')}`)
      return {command: argv[0]!, args: argv.slice(1), exitCode: 0, stdout: '', stderr: '', timedOut: false, canceled: false, durationMs: 1, ...r}
    }
    return {host, label, exec, script: (body, args = []) => exec(['sh', '-c', body, 'sh', ...args])}
  }
  const ctx = {runner: undefined, shells: {get: shellFor}, reporter: silentReporter} as unknown as Context
  return {ctx, calls}
}

/** The URI a virsh call (direct or through the probe script's "$1") was given. */
function uriOf(argv: readonly string[]): string | undefined {
  const c = argv.indexOf('-c')
  if (argv[0] === 'virsh' && c >= 0) return argv[c + 1]
  if (argv[0] === 'sh') return argv[4]
  return undefined
}

describe('libvirt driver bound to a run', () => {
  it('talks to --connect on the source and to a local --target-connect on the target', async () => {
    const {ctx, calls} = world(() => ({stdout: '9.0.0\n'}))
    const driver = await configureDriver(libvirtDriver, {connect: 'qemu+unix:///system?socket=/s', targetConnect: 'qemu:///session'}, {source: SRC, target: DST})
    await driver.probe(SRC, ctx)
    await driver.probe(DST, ctx)
    expect(calls.map((c) => [c.host, uriOf(c.argv)])).toEqual([
      ['ssh://root@10.0.0.2', 'qemu+unix:///system?socket=/s'],
      ['ssh://root@10.0.0.3', 'qemu:///session'],
    ])
  })

  it('a remote --target-connect (for --live) leaves the target\'s own URI at qemu:///system', async () => {
    const {ctx, calls} = world(() => ({stdout: 'vm1\n'}))
    const driver = await configureDriver(libvirtDriver, {targetConnect: 'qemu+ssh://root@10.0.0.3/system'}, {source: SRC, target: DST})
    await driver.list(DST, ctx)
    expect(new Set(calls.map((c) => uriOf(c.argv)))).toEqual(new Set(['qemu:///system']))
  })

  it('names the URI when libvirt does not answer there', async () => {
    const {ctx} = world(() => ({stdout: 'failed to connect to the hypervisor\nFailed to connect socket to \'/nope\': No such file or directory\n'}))
    const driver = await configureDriver(libvirtDriver, {connect: 'qemu+unix:///system?socket=/nope'}, {source: SRC})
    const probe = await driver.probe(SRC, ctx)
    expect(probe.available).toBe(false)
    expect(probe.missing).toBeFalsy()
    expect(probe.detail).toContain('qemu+unix:///system?socket=/nope')
    expect(probe.detail).toContain('Failed to connect socket')
  })

  it('refuses a bad URI as a usage error before touching any host', async () => {
    const error = await caught(configureDriver(libvirtDriver, {connect: '-oProxyCommand=x'}, {source: SRC}))
    expect(error).toBeInstanceOf(UsageError)
  })

  it('an unbound driver uses qemu:///system everywhere', async () => {
    const {ctx, calls} = world(() => ({stdout: '9.0.0\n'}))
    await libvirtDriver.probe(DST, ctx)
    expect(uriOf(calls[0]!.argv)).toBe('qemu:///system')
  })
})
