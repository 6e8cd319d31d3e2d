// Makes a namespace host play a Mac for the cross-OS tests, and takes that away again. The host
// keeps its Linux userland (GNU tar, coreutils, crontab, sudo); what changes is what ocvm asks to
// tell the OS apart and to manage services:
//   - `uname -s` says Darwin (and `-m` arm64, `-r` 24.1.0): wrapper in its private /usr/local/bin;
//   - FAKE sw_vers, launchctl (with a tiny launchd behind it) and plutil in /usr/local/bin;
//   - FAKE /usr/libexec/PlistBuddy: /usr/libexec is shared with the machine, so it gets an overlay
//     mount inside the host's own mount namespace (the machine's /usr/libexec never changes);
//   - /Users, /Library and /etc/newsyslog.d are already private per host (test/infra/hosts.sh), and
//     the macOS-like test users (carol) have their homes in /Users with primary group staff.
// The fakes are documented in their own headers (test/fakes/). Nothing here is a real macOS: BSD
// userland differences (stat -f, sed -i '') are NOT exercised by these tests.
import {chmodSync, existsSync, mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {host, hostFsPath, REPO_ROOT, shellQuote, sshCheck, sshExec} from '../infra/hosts.js'

const FAKES = path.join(REPO_ROOT, 'test/fakes')
/** Where the fake launchd keeps its jobs (per host: /Library is private). */
export const LAUNCHD_STATE = '/Library/.fake-launchd'

const macs = new Set<string>()

function wrapper(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n# ocvm integration tests: this namespace host plays a Mac (test/integration/fake-macos.ts). Removed after the test.\n${body}\n`)
  chmodSync(file, 0o755)
}

const overlay = (name: string) => path.join(host(name).fsRoot, '.fake-macos')

/** Installs the fakes on `name`; idempotent. */
export async function actAsMac(name: string): Promise<void> {
  // Every Mac has these (the private /Library starts empty).
  for (const dir of ['/Library/LaunchDaemons', '/Library/LaunchAgents']) mkdirSync(hostFsPath(name, dir), {recursive: true, mode: 0o755})
  const bin = (tool: string) => hostFsPath(name, `/usr/local/bin/${tool}`)
  for (const tool of ['sw_vers', 'launchctl', 'plutil']) wrapper(bin(tool), `exec ${shellQuote(path.join(FAKES, tool))} "$@"`)
  wrapper(bin('uname'), `case "$*" in
  ''|-s) echo Darwin ;;
  -m|-p) echo arm64 ;;
  -r) echo 24.1.0 ;;
  *) exec /usr/bin/uname "$@" ;;
esac`)
  // The overlay's upper dir is filled before it is mounted (changing it under a live overlay is not supported).
  const upper = path.join(overlay(name), 'upper')
  mkdirSync(path.join(overlay(name), 'work'), {recursive: true})
  mkdirSync(upper, {recursive: true})
  wrapper(path.join(upper, 'PlistBuddy'), `exec ${shellQuote(path.join(FAKES, 'PlistBuddy'))} "$@"`)
  await sshCheck(name, `mountpoint -q /usr/libexec || mount -t overlay ocvm-fake-macos -o lowerdir=/usr/libexec,upperdir=${shellQuote(upper)},workdir=${shellQuote(path.join(overlay(name), 'work'))} /usr/libexec`)
  macs.add(name)
}

/**
 * Stops every job the fake launchd runs on the Mac hosts (their supervisors exit when the state
 * is gone, stopping the job first), then removes the fakes and the overlay.
 */
export async function removeMacFakes(): Promise<void> {
  for (const name of macs) rmSync(hostFsPath(name, LAUNCHD_STATE), {recursive: true, force: true})
  for (const name of macs) {
    // The supervisors are this host's processes: wait for them inside its namespace.
    await sshExec(name, `for i in $(seq 1 60); do pgrep -f ${shellQuote('launchctl __supervise')} >/dev/null || exit 0; sleep 0.1; done; exit 1`)
    // Lazy: a process still running from the overlay (sudo maps /usr/libexec/sudo/*) keeps its view.
    await sshCheck(name, 'if mountpoint -q /usr/libexec; then umount -l /usr/libexec; fi')
    for (const tool of ['sw_vers', 'launchctl', 'plutil', 'uname']) rmSync(hostFsPath(name, `/usr/local/bin/${tool}`), {force: true})
    if (existsSync(overlay(name))) rmSync(overlay(name), {recursive: true, force: true})
  }
  macs.clear()
}
