// The guest-agent GuestShell, against a scripted host Shell that answers like `virsh -q` in
// interactive mode does (the command echoed after the prompt, the reply on its own line; see
// test/fixtures/libvirt/agent-*.txt for the real thing).
import {Readable, Writable} from 'node:stream'
import {describe, expect, it} from 'vitest'

import {agentShell} from '../../../../src/drivers/libvirt/agent-shell.js'
import {OcvmError} from '../../../../src/errors.js'
import type {RunResult} from '../../../../src/exec/runner.js'
import type {Shell, ShellRunOptions} from '../../../../src/hosts/shell.js'

interface Call {
  argv: readonly string[]
  input: string
}

function fakeHost(replies: Array<{stdout: string; stderr?: string}>): {shell: Shell; calls: Call[]} {
  const calls: Call[] = []
  const shell: Shell = {
    host: {kind: 'ssh', host: 'kvm1'},
    label: 'ssh://kvm1',
    async exec(argv: readonly string[], options: ShellRunOptions = {}): Promise<RunResult> {
      calls.push({argv, input: String(options.input ?? '')})
      const reply = replies.shift()
      if (!reply) throw new Error(`unexpected call: ${argv.join(' ')}`)
      return {command: argv[0]!, args: argv.slice(1), exitCode: 0, stdout: reply.stdout, stderr: reply.stderr ?? '', timedOut: false, canceled: false, durationMs: 1}
    },
    script: () => Promise.reject(new Error('not used')),
  }
  return {shell, calls}
}

const echo = (line: string) => `virsh # ${line}\n`
const b64 = (s: string) => Buffer.from(s).toString('base64')

describe('guest-agent shell', () => {
  it('runs argv through guest-exec, sends stdin as input-data over virsh stdin (never argv), returns the output', async () => {
    const {shell, calls} = fakeHost([
      {stdout: `${echo('…')}{"return":{"pid":42}}\n\n${echo('')}`},
      {stdout: `${echo('…')}{"return":{"exited":false}}\n`},
      {stdout: `${echo('…')}{"return":{"exitcode":0,"out-data":"${b64('hello\n')}","err-data":"${b64('warn\n')}","exited":true}}\n`},
    ])
    const guest = agentShell(shell, 'qemu:///system', `it's "x"`)
    expect(guest.host).toEqual({kind: 'guest', id: `libvirt/it's "x"@ssh://kvm1`})
    const result = await guest.exec(['cat', '-'], {input: 's3cret-token'})
    expect(result).toMatchObject({exitCode: 0, stdout: 'hello\n', stderr: 'warn\n'})
    expect(calls).toHaveLength(3)
    for (const c of calls) {
      expect(c.argv).toEqual(['virsh', '-c', 'qemu:///system', '-q'])
      expect(c.argv.join(' ')).not.toContain('s3cret')
    }
    expect(calls[0]!.input).toBe(`qemu-agent-command --domain "it's \\"x\\"" "{\\"execute\\":\\"guest-exec\\",\\"arguments\\":{\\"path\\":\\"cat\\",\\"arg\\":[\\"-\\"],\\"capture-output\\":true,\\"input-data\\":\\"${b64('s3cret-token')}\\"}}"\n`)
    expect(calls[1]!.input).toContain('guest-exec-status')
    expect(calls[1]!.input).toContain('\\"pid\\":42')
  })

  it('streams: collects stdin, writes stdout to the given stream', async () => {
    const {shell, calls} = fakeHost([
      {stdout: '{"return":{"pid":1}}\n'},
      {stdout: `{"return":{"exitcode":0,"out-data":"${b64('tarbytes')}","exited":true}}\n`},
    ])
    const chunks: Buffer[] = []
    const sink = new Writable({write: (c: Buffer, _e, cb) => (chunks.push(c), cb())})
    const result = await agentShell(shell, 'qemu:///system', 'vm').script('tar -xf -', [], {stdin: Readable.from([Buffer.from('ab'), Buffer.from('c')]), stdout: sink})
    expect(result.stdout).toBe('')
    expect(Buffer.concat(chunks).toString()).toBe('tarbytes')
    expect(calls[0]!.input).toContain(`\\"input-data\\":\\"${b64('abc')}\\"`)
    expect(calls[0]!.input).toContain('\\"path\\":\\"/bin/sh\\",\\"arg\\":[\\"-c\\",\\"tar -xf -\\",\\"sh\\"]')
  })

  it('throws on a non-zero exit unless allowFailure, and when the agent is not there', async () => {
    const failing = () => fakeHost([{stdout: '{"return":{"pid":1}}\n'}, {stdout: `{"return":{"exitcode":3,"err-data":"${b64('nope\n')}","exited":true}}\n`}]).shell
    await expect(agentShell(failing(), 'u:///', 'vm').exec(['false'])).rejects.toThrow(/false exited with code 3.*nope/)
    expect((await agentShell(failing(), 'u:///', 'vm').exec(['false'], {allowFailure: true})).exitCode).toBe(3)
    const {shell} = fakeHost([{stdout: '', stderr: 'error: Guest agent is not responding: QEMU guest agent is not connected\n'}])
    const error = await agentShell(shell, 'u:///', 'vm').exec(['true']).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(OcvmError)
    expect((error as OcvmError).code).toBe('guest-agent')
  })
})
