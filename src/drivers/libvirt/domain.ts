import {OcvmError, VmExistsError, VmNotFoundError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import type {Shell} from '../../hosts/shell.js'
import {xmlUnescape} from './domain-xml.js'
import {isNotFound, parseDomstate, parsePoolState, type DomState} from './parse.js'
import * as v from './virsh.js'

/** Small virsh helpers every libvirt verb shares: run, look up a domain, require a pool. */

export async function runVirsh(shell: Shell, argv: string[], timeoutMs: number = v.TIMEOUTS.query): Promise<RunResult> {
  return shell.exec(argv, {timeoutMs})
}

export async function tryVirsh(shell: Shell, argv: string[], timeoutMs: number = v.TIMEOUTS.query): Promise<RunResult> {
  return shell.exec(argv, {timeoutMs, allowFailure: true})
}

export function domainNotFound(name: string, shell: Shell, uri: string): VmNotFoundError {
  return new VmNotFoundError('libvirt', name, shell.label, `virsh -c ${uri} list --all`, uri)
}

export async function domainState(shell: Shell, uri: string, name: string): Promise<DomState> {
  const r = await tryVirsh(shell, v.domstate(uri, name))
  if (r.exitCode !== 0) {
    if (isNotFound(r.stderr)) throw domainNotFound(name, shell, uri)
    await runVirsh(shell, v.domstate(uri, name))
  }
  return parseDomstate(r.stdout)
}

/** True when a domain of that name is defined (or running) on the host. */
export async function domainExists(shell: Shell, uri: string, name: string): Promise<boolean> {
  const r = await tryVirsh(shell, v.dominfo(uri, name))
  if (r.exitCode === 0) return true
  if (isNotFound(r.stderr)) return false
  await runVirsh(shell, v.dominfo(uri, name))
  return false
}

export function domainExistsError(name: string, shell: Shell): VmExistsError {
  return new VmExistsError('libvirt', name, shell.label, undefined, 'Pick another name with --target-name, or remove the existing domain on the target first (virsh undefine).')
}

/** The pool exists and runs on the host; otherwise an error naming it, with how to list or create one. */
export async function requirePool(shell: Shell, uri: string, pool: string): Promise<void> {
  const r = await tryVirsh(shell, v.poolInfo(uri, pool))
  if (r.exitCode === 0 && parsePoolState(r.stdout) === 'running') return
  const missing = r.exitCode !== 0
  throw new OcvmError('pool-not-found', `storage pool "${pool}" ${missing ? 'does not exist' : 'is not running'} on ${shell.label} (${uri})`, {
    hint: missing
      ? `Choose an existing pool with --target-pool (virsh -c ${uri} pool-list --all on the target), or create it: virsh pool-define-as ${pool} dir --target /var/lib/libvirt/images && virsh pool-start ${pool}.`
      : `Start it on the target (virsh -c ${uri} pool-start ${pool}), or choose another with --target-pool (virsh pool-list --all).`,
    details: {pool, host: shell.label},
  })
}

/** Pure, from `virsh pool-dumpxml`: `dir`, `fs`, `netfs` pools keep volumes as plain files (a copy and qemu-img work on them directly). */
export function fileBackedPool(xml: string): boolean {
  const type = /^<pool type=['"]([a-z]+)['"]/.exec(xml.trimStart())?.[1]
  return type === 'dir' || type === 'fs' || type === 'netfs'
}

/** Pure: the dir of a file-backed pool (`<target><path>`), from `virsh pool-dumpxml`. */
export function poolTargetPath(xml: string): string | undefined {
  const target = /<target>([\s\S]*?)<\/target>/.exec(xml)?.[1]
  const dir = target ? /<path>([^<]+)<\/path>/.exec(target)?.[1]?.trim() : undefined
  return dir ? xmlUnescape(dir) : undefined
}

/** `virsh define` from a private temp file on the host (the XML goes over stdin, not argv). */
export async function defineXml(shell: Shell, uri: string, xml: string): Promise<void> {
  const body = 'set -e; t=$(mktemp); trap \'rm -f "$t"\' EXIT; cat >"$t"; virsh -c "$1" define --file "$t" >/dev/null'
  await shell.script(body, [uri], {input: xml, timeoutMs: v.TIMEOUTS.lifecycle})
}
