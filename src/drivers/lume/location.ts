import type {Shell} from '../../hosts/shell.js'
import {OcvmError} from '../../errors.js'
import {homeDir} from '../common/host-files.js'
import {LUME_TOOL} from './errors.js'
import {lumeArgv} from './argv.js'
import {runToolOn} from '../common/run-tool.js'
import type {Context} from '../../context.js'

/**
 * The directory of a lume storage location on a host. `home` is `~/.lume` (reference §1.6), a
 * location used ad hoc with `--storage /path` is named by its path, and other named locations are
 * looked up in `lume config storage list` (one `<name>: <path>` per line [unverified format], so
 * only an absolute path after the name is accepted).
 */
export async function lumeLocationDir(shell: Shell, locationName: string, ctx: Context): Promise<string> {
  if (locationName.startsWith('/')) return locationName.replace(/\/+$/, '')
  if (locationName === 'home') return `${await homeDir(shell)}/.lume`
  const listed = await runToolOn(LUME_TOOL, shell, ctx, lumeArgv.storageList(), {timeoutMs: 30_000})
  const dir = parseStorageList(listed.stdout).get(locationName)
  if (dir) return dir
  throw new OcvmError('lume-storage', `cannot find the directory of lume storage location "${locationName}" on ${shell.label}`, {
    hint: `\`lume config storage list\` on ${shell.label} shows it; pass that path to ocvm with --lume-storage PATH.`,
  })
}

/** `name: /abs/path` lines (tolerating extra text after the path, like `(default)`). */
export function parseStorageList(stdout: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of stdout.split('\n')) {
    const m = /^\s*-?\s*([A-Za-z0-9_.-]+)\s*[:=]\s*(\/\S.*?)(?:\s+\((?:default|current)\))?\s*$/.exec(line)
    if (m) out.set(m[1]!, m[2]!.replace(/\/+$/, ''))
  }
  return out
}
