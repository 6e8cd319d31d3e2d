// Makes a namespace host play a host whose init is systemd, with the FAKE systemctl (test/fakes/,
// documented there): the fake in its private /usr/local/bin, and /run/systemd/system, which is what
// sd_booted() and ocvm look for, on a tmpfs mounted over /run/systemd inside the host's own mount
// namespace. The machine's /run is never touched: it must not look systemd-booted to anything else.
// For a REAL systemd (restarts, boots), see the systemd-nspawn host in test/infra.
import {copyFileSync, rmSync} from 'node:fs'
import path from 'node:path'

import {hostFsPath, REPO_ROOT, sshCheck, sshExec} from '../infra/hosts.js'

const FAKE = path.join(REPO_ROOT, 'test/fakes/systemctl')

export async function actAsSystemd(name: string): Promise<void> {
  copyFileSync(FAKE, hostFsPath(name, '/usr/local/bin/systemctl'))
  await sshCheck(name, 'mountpoint -q /run/systemd || mount -t tmpfs -o mode=755 ocvm-fake-systemd /run/systemd; mkdir -p /run/systemd/system')
}

/** Stops what the fake started (`units`), then takes the fake and the mount away. */
export async function removeSystemdFake(name: string, units: readonly string[] = ['openclaw-gateway.service']): Promise<void> {
  for (const unit of units) await sshExec(name, `systemctl stop ${unit}; true`)
  rmSync(hostFsPath(name, '/usr/local/bin/systemctl'), {force: true})
  await sshExec(name, 'mountpoint -q /run/systemd && umount -l /run/systemd; true')
}
