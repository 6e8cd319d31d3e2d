import {z} from 'zod'
import type {Readable} from 'node:stream'

import {OcvmError, UnexpectedOutputError, UnsupportedError} from '../../errors.js'
import {DirectPipe} from '../../exec/direct-pipe.js'
import type {RunResult} from '../../exec/runner.js'
import type {Shell, ShellRunOptions} from '../../hosts/shell.js'
import {agentCommandLine, virsh, TIMEOUTS} from './virsh.js'

/**
 * A GuestShell through the QEMU guest agent (`guest-exec`), reached with `virsh
 * qemu-agent-command` on the hypervisor host. The agent protocol is request/response: stdin is
 * collected and sent whole (`input-data`), stdout/stderr come back whole when the command exits,
 * so this suits hooks and small transfers (qemu-ga caps captured output at 16 MiB), not bulk data.
 * The JSON goes to virsh on its stdin (virsh's own command syntax), never in argv, because it
 * carries the command's stdin, which may hold secrets.
 */

const MAX_STDIN = 16 * 1024 * 1024
const POLL_MS = 200

const ExecReply = z.object({return: z.object({pid: z.number().int()})})
const StatusReply = z.object({
  return: z.object({
    exited: z.boolean(),
    exitcode: z.number().int().optional(),
    signal: z.number().int().optional(),
    'out-data': z.string().optional(),
    'err-data': z.string().optional(),
  }),
})

/** The first schema issue of an agent reply, for UnexpectedOutputError (the reply itself may carry guest output). */
const zodIssue = (error: z.ZodError): string => `${error.issues[0]?.path.join('.') || '(top level)'}: ${error.issues[0]?.message ?? 'does not match the schema'}`

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > MAX_STDIN) throw new UnsupportedError('more than 16 MiB of stdin for a guest-agent command', 'Give the guest network access and ssh, so ocvm can stream to it.')
    chunks.push(buf)
  }
  return Buffer.concat(chunks)
}

/** Waits until the guest's agent answers `guest-ping` (it starts late in a boot). */
export async function waitForAgent(host: Shell, uri: string, domain: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let last = ''
  for (;;) {
    const r = await host.exec([...virsh(uri), '-q'], {input: `${agentCommandLine(domain, '{"execute":"guest-ping"}')}\n`, timeoutMs: TIMEOUTS.query, allowFailure: true})
    if (r.exitCode === 0 && !r.stderr.includes('error:') && r.stdout.includes('"return"')) return
    last = r.stderr.trim().split('\n').pop() ?? ''
    if (Date.now() > deadline) {
      throw new OcvmError('guest-agent', `the QEMU guest agent of ${domain} on ${host.label} did not answer within ${Math.round(timeoutMs / 1000)} s: ${last}`, {
        hint: 'Install and start qemu-guest-agent in the guest, and give the domain a channel named org.qemu.guest_agent.0.',
      })
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

export function agentShell(host: Shell, uri: string, domain: string): Shell {
  const label = `${host.label} guest ${domain} (agent)`

  async function agent(json: object, timeoutMs: number): Promise<unknown> {
    const result = await host.exec([...virsh(uri), '-q'], {input: `${agentCommandLine(domain, JSON.stringify(json))}\n`, timeoutMs, allowFailure: true})
    const out = result.stdout.trim()
    if (result.exitCode !== 0 || result.stderr.includes('error:')) {
      const last = result.stderr.trim().split('\n').pop() ?? ''
      throw new OcvmError('guest-agent', `the QEMU guest agent of ${domain} on ${host.label} did not answer: ${last}`, {
        hint: 'Install and start qemu-guest-agent in the guest, and give the domain a channel named org.qemu.guest_agent.0.',
      })
    }
    try {
      return JSON.parse(out.split('\n').find((l) => l.startsWith('{')) ?? out)
    } catch {
      throw new UnexpectedOutputError('virsh', 'virsh qemu-agent-command', `not JSON: ${out.slice(0, 200)}`, host.label)
    }
  }

  async function exec(argv: readonly string[], options: ShellRunOptions = {}): Promise<RunResult> {
    const [command, ...args] = argv
    if (command === undefined) throw new TypeError('exec needs a command')
    if (options.stdin instanceof DirectPipe || options.stdout instanceof DirectPipe) {
      throw new UnsupportedError('a disk stream cannot run through the QEMU guest agent', 'Give the guest network access and ssh, so ocvm can stream to it.')
    }
    const started = Date.now()
    let input: Buffer | undefined
    if (options.input !== undefined) input = Buffer.from(options.input)
    else if (options.stdin) input = await collect(options.stdin)
    const request = {
      execute: 'guest-exec',
      arguments: {path: command, arg: args, 'capture-output': true, ...(input ? {'input-data': input.toString('base64')} : {})},
    }
    const reply = ExecReply.safeParse(await agent(request, TIMEOUTS.query))
    if (!reply.success) throw new UnexpectedOutputError('qemu-ga', 'guest-exec', zodIssue(reply.error), label)
    const deadline = options.timeoutMs ? started + options.timeoutMs : Number.POSITIVE_INFINITY
    for (;;) {
      if (options.signal?.aborted) return result(command, args, -1, '', '', started, {canceled: true})
      const status = StatusReply.safeParse(await agent({execute: 'guest-exec-status', arguments: {pid: reply.data.return.pid}}, TIMEOUTS.query))
      if (!status.success) throw new UnexpectedOutputError('qemu-ga', 'guest-exec-status', zodIssue(status.error), label)
      const s = status.data.return
      if (s.exited) {
        const stdout = Buffer.from(s['out-data'] ?? '', 'base64')
        const stderr = Buffer.from(s['err-data'] ?? '', 'base64').toString('utf8')
        if (options.stdout) options.stdout.write(stdout)
        const exitCode = s.exitcode ?? (s.signal === undefined ? -1 : 128 + s.signal)
        const out = result(command, args, exitCode, options.stdout ? '' : stdout.toString('utf8'), stderr, started, {})
        if (exitCode !== 0 && !options.allowFailure) {
          throw new OcvmError('external-command', `${command} exited with code ${exitCode} on ${label}${stderr.trim() ? `: ${stderr.trim().split('\n').pop()}` : ''}`, {
            hint: 'Run again with --verbose to see the commands ocvm runs.',
            details: {command, exitCode, host: label},
          })
        }
        return out
      }
      if (Date.now() > deadline) {
        const out = result(command, args, -1, '', '', started, {timedOut: true})
        if (options.allowFailure) return out
        throw new OcvmError('external-command', `${command} timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s on ${label}`, {hint: 'Check the guest; the command is still running there.'})
      }
      await new Promise((r) => setTimeout(r, POLL_MS))
    }
  }

  return {
    host: {kind: 'guest', id: `libvirt/${domain}@${host.label}`},
    label,
    exec,
    script: (body, args = [], options) => exec(['/bin/sh', '-c', body, 'sh', ...args], options),
  }
}

function result(command: string, args: string[], exitCode: number, stdout: string, stderr: string, started: number, flags: {timedOut?: boolean; canceled?: boolean}): RunResult {
  return {command, args, exitCode, stdout, stderr, timedOut: Boolean(flags.timedOut), canceled: Boolean(flags.canceled), durationMs: Date.now() - started}
}
