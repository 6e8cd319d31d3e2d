import path from 'node:path'

import {HypervisorUnavailableError, OcvmError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import {GUEST_SSH_HINT} from '../common/guest-ssh.js'
import type {ToolSpec} from '../common/run-tool.js'
import {lastLine} from '../common/tool-output.js'

// stderr texts of lume 0.5.x (reference/hypervisors.md §1.5): `Error: <description>`, exit 1;
// swift-argument-parser usage errors exit 64.
const PATTERNS: Array<[RegExp, (m: RegExpMatchArray, host: string) => OcvmError]> = [
  [/^Error: Virtual machine not found: (.+)$/, (m, host) => new VmNotFoundError('lume', m[1]!, host, 'lume ls')],
  [/^Error: VM '(.+)' not found$/, (m, host) => new VmNotFoundError('lume', m[1]!, host, 'lume ls')],
  [/^Error: Virtual machine already running: (.+)$/, (m, host) => new VmStateError('lume', m[1]!, host, 'is running', `Stop it first (\`lume stop ${m[1]}\` on ${host}), or let ocvm stop it.`)],
  [/^Error: Virtual machine not running: (.+)$/, (m, host) => new VmStateError('lume', m[1]!, host, 'is not running', `Start it with \`lume run ${m[1]} --no-display --detach\` on ${host}.`)],
  [/^Error: VM '(.+)' is not running$/, (m, host) => new VmStateError('lume', m[1]!, host, 'is not running', `Start it with \`lume run ${m[1]} --no-display --detach\` on ${host}.`)],
  [/^Error: Virtual machine is still being provisioned: (.+)$/, (m, host) => new VmStateError('lume', m[1]!, host, 'is still being provisioned', 'Wait until `lume get` shows it stopped or running, then run ocvm again.')],
  [/^Error: Cannot modify (.+): the VM is running\. Stop it first\.$/, (m, host) => new VmStateError('lume', m[1]!, host, 'is running', `Stop it first (\`lume stop ${m[1]}\` on ${host}).`)],
  [/^Error: VM '(.+)' has no IP address\./, (m, host) => new VmStateError('lume', m[1]!, host, 'has no IP address yet', `Wait for it to boot completely. ${GUEST_SSH_HINT}`)],
  [/^Error: SSH is not available on VM '(.+)'\./, (m, host) => new VmStateError('lume', m[1]!, host, 'does not accept ssh', GUEST_SSH_HINT)],
  [/^Error: VM location not found: (.+)$/, (m, host) => new OcvmError('lume-storage', `lume on ${host} has no storage location "${m[1]}"`, {hint: `\`lume config storage list\` on ${host} shows the locations; add one with \`lume config storage add <name> <path>\`.`})],
  [/^Error: Directory already exists at path: (.+)$/, (m, host) => new VmExistsError('lume', path.posix.basename(m[1]!), host, `${m[1]} exists`, 'Pick another VM name on the target, or remove the leftover directory yourself.')],
  [/^Error: Missing GitHub credentials/, (_m, host) => new OcvmError('registry-auth', `lume on ${host} has no registry credentials`, {hint: 'lume reads GITHUB_USERNAME and GITHUB_TOKEN (or GHCR_USERNAME/GHCR_TOKEN): set them where lume runs on that host, or hand them to ocvm, which passes the token to lume on stdin, never on the command line.'})],
]

export function mapLumeFailure(result: RunResult, host: string): OcvmError | undefined {
  const lines = result.stderr.split('\n').map((l) => l.trim())
  for (const line of lines) {
    for (const [re, make] of PATTERNS) {
      const m = line.match(re)
      if (m) return make(m, host)
    }
  }
  if (result.exitCode === 64) {
    return new HypervisorUnavailableError('lume', host, `it rejected ocvm's arguments (${lastLine(result.stderr)})`, 'ocvm needs lume 0.5 or newer: update it with `lume update` (or reinstall), then run ocvm again.')
  }
  return undefined
}

export const LUME_TOOL: ToolSpec = {
  tool: 'lume',
  installHint: 'Install Lume on that Mac (Apple Silicon, macOS 13+): see https://cua.ai/docs/lume, then check `lume --version`.',
  mapFailure: mapLumeFailure,
}
