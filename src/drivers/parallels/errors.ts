import {HypervisorUnavailableError, OcvmError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import type {ToolSpec} from '../common/run-tool.js'
import {lastLine} from '../common/tool-output.js'

export const LICENCE_HINT = 'prlctl only works with Parallels Desktop Pro or Business edition: upgrade the licence on that Mac (Parallels Desktop > Account & License), then run ocvm again.'

/**
 * prlctl failures (reference §2.3): `Failed to <verb> the VM: <reason>` on stderr, exit 255 for SDK
 * errors (253 = cannot connect to the dispatcher). The VM name is not always in the text, so the
 * caller passes the VM the command was about.
 */
export function mapPrlFailure(result: RunResult, host: string, vm?: string): OcvmError | undefined {
  const text = result.stderr
  const name = vm ?? '?'
  if (/The virtual machine could not be found/.test(text)) return new VmNotFoundError('prlctl', name, host, 'prlctl list -a')
  if (/Pro Edition|Business Edition|edition of Parallels/i.test(text)) return new HypervisorUnavailableError('prlctl', host, 'this Parallels Desktop edition has no command-line interface', LICENCE_HINT)
  if (result.exitCode === 253 || /connect to (the )?(Parallels Service|dispatcher)/i.test(text)) {
    return new HypervisorUnavailableError('prlctl', host, `cannot connect to the Parallels service (${lastLine(text)})`, 'Start Parallels Desktop on that Mac (or `prlsrvctl` service), make sure you are logged in to the GUI session of that user, then run ocvm again.')
  }
  const state = /Failed to (\w+) the VM: .*is in the "(\w+)" state/.exec(text)
  if (state) return new VmStateError('prlctl', name, host, `cannot ${state[1]} while it is ${state[2]}`, state[2] === 'paused' || state[2] === 'suspended' ? `Resume it (\`prlctl resume ${name}\`) or stop it with --force (drops the suspended state).` : `Wait until it settles (\`prlctl list -a\`), then run ocvm again.`)
  if (/virtual machine is busy|currently running/.test(text)) return new VmStateError('prlctl', name, host, 'is running', `Stop it first (\`prlctl stop ${name}\`).`)
  if (/already registered|already exists/.test(text)) return new VmExistsError('prlctl', name, host, lastLine(text), 'Pick another name with --target-name, or unregister the old VM yourself; with --preserve-uuid the UUID must be free too.')
  if (/Failed to exec: .*not running/.test(text)) return new VmStateError('prlctl', name, host, 'is not running', `Start it with \`prlctl start ${name}\`.`)
  return undefined
}

export function prlTool(vm?: string, tool = 'prlctl'): ToolSpec {
  return {
    tool,
    installHint: 'Install Parallels Desktop (Pro or Business edition) on that Mac; prlctl and prlsrvctl come with it in /usr/local/bin.',
    mapFailure: (result, host) => mapPrlFailure(result, host, vm),
  }
}
