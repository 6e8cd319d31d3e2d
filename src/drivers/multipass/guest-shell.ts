import type {Context} from '../../context.js'
import {MissingToolError} from '../../errors.js'
import {toExternalError} from '../../exec/runner.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import {formatHostSpec} from '../../hosts/host-spec.js'
import type {Shell, ShellRunOptions} from '../../hosts/shell.js'
import type {GuestShell} from '../../postmigrate/api.js'
import {mpArgv} from './argv.js'
import {mapMpFailure} from './errors.js'

/**
 * A shell inside a Multipass instance through `multipass exec <name> -n -- argv` on its host: no
 * ssh keys needed, stdin/stdout stream through (the state move pipes tar through it), and the exit
 * code is the guest command's (reference §3.1). A stopped instance is started by multipass itself.
 * Multipass passes each argument through quoted (`to_cmd(..., quote_every_arg)`) [unverified here],
 * so argv reaches the guest as given.
 */
export function multipassGuestShell(host: HostSpec, name: string, ctx: Context): GuestShell {
  const hostShell: Shell = ctx.shells.get(host)
  const guest: HostSpec = {kind: 'guest', id: `multipass/${name}@${hostShell.label}`}
  const label = formatHostSpec(guest)

  async function exec(argv: readonly string[], options: ShellRunOptions = {}) {
    const [command] = argv
    if (command === undefined) throw new TypeError('exec needs a command')
    const result = await hostShell.exec(mpArgv.exec(name, argv), {...options, allowFailure: true})
    // multipass' own failure (exit 2, its `exec failed:` line first), not the guest command's: always
    // an error, whatever allowFailure says.
    if (result.exitCode === 2 && /^exec failed: /.test(result.stderr)) {
      throw mapMpFailure(result, hostShell.label) ?? toExternalError(result, ctx.runner.redactor, hostShell.label, options.timeoutMs)
    }
    if (result.exitCode === 3 && /cannot connect to the multipass socket/.test(result.stderr)) throw mapMpFailure(result, hostShell.label)!
    const ok = result.exitCode === 0 && !result.timedOut && !result.canceled
    if (ok || options.allowFailure) return {...result, command, args: argv.slice(1)}
    if (result.exitCode === 127) throw new MissingToolError(label, command === 'sh' ? 'a command' : command)
    throw toExternalError({...result, command, args: argv.slice(1)}, ctx.runner.redactor, label, options.timeoutMs)
  }

  return {host: guest, label, exec, script: (body, args = [], options) => exec(['sh', '-c', body, 'sh', ...args], options)}
}
