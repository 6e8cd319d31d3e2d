import {HypervisorUnavailableError, OcvmError, VmExistsError, VmNotFoundError, VmStateError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import type {ToolSpec} from '../common/run-tool.js'
import {lastLine} from '../common/tool-output.js'

/**
 * multipass failures (reference §3.3): `<command> failed: <message>` on stderr; exit 2 = command
 * failed, 3 = the daemon cannot be reached, 1 = bad command line.
 */
export function mapMpFailure(result: RunResult, host: string): OcvmError | undefined {
  const text = result.stderr
  let m: RegExpExecArray | null
  if (result.exitCode === 3 || /cannot connect to the multipass socket/.test(text)) {
    return new HypervisorUnavailableError('multipass', host, `the multipass daemon is not reachable (${lastLine(text.split('\n')[0] ?? '')})`, 'Start it (Linux: `sudo snap start multipass`; macOS: `sudo launchctl kickstart -k system/com.canonical.multipassd`), check `multipass version` shows multipassd, then run ocvm again.')
  }
  if ((m = /^\w[\w-]* failed: instance "([^"]+)" does not exist/m.exec(text)) || (m = /^Instance '([^']+)' does not exist\./m.exec(text))) {
    return new VmNotFoundError('multipass', m[1]!, host, 'multipass list')
  }
  if ((m = /failed: instance "([^"]+)" is deleted/m.exec(text))) {
    return new VmStateError('multipass', m[1]!, host, 'is deleted (not purged)', `Recover it with \`multipass recover ${m[1]}\`, or purge it with \`multipass purge\`.`)
  }
  if ((m = /failed: instance "([^"]+)" is not running/m.exec(text))) {
    return new VmStateError('multipass', m[1]!, host, 'is not running', `Start it with \`multipass start ${m[1]}\`.`)
  }
  if ((m = /failed: instance "([^"]+)" already exists/m.exec(text))) {
    return new VmExistsError('multipass', m[1]!, host, undefined, 'Pick another name with --target-name.')
  }
  if (/Use --force to power it off\./.test(text)) {
    return new VmStateError('multipass', undefined, host, `refused to stop it: ${lastLine(text.split('\n')[0] ?? '')}`, 'Shut it down from inside, or pass --force-stop to power it off.')
  }
  if (/can only (take snapshots of|restore snapshots of|clone) stopped instances|must be stopped/.test(text)) {
    return new VmStateError('multipass', undefined, host, lastLine(text), 'Stop the instance first.')
  }
  return undefined
}

export const MP_TOOL: ToolSpec = {
  tool: 'multipass',
  installHint: 'Install Multipass (Linux: `sudo snap install multipass`; macOS: `brew install --cask multipass`), then check `multipass version`.',
  mapFailure: mapMpFailure,
}
