// Puts the FAKE hypervisor CLIs (test/fakes/) on a namespace host's PATH for the tests that need
// them, and takes them away again: wrapper scripts in the host's private /usr/local/bin (ahead of
// /usr/bin on the ssh PATH). Each wrapper sets what the fake needs to know about this host — the
// IP its "guest" has, which is the host itself — plus any injected failures.
import {chmodSync, existsSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'

import {hostFsPath, hostIp, REPO_ROOT} from '../infra/hosts.js'

const FAKES = path.join(REPO_ROOT, 'test/fakes')

export type FakeTool = 'lume' | 'prlctl' | 'prlsrvctl' | 'multipass'

const GUEST_IP_VAR: Record<FakeTool, string> = {
  lume: 'OCVM_FAKE_LUME_GUEST_IP',
  prlctl: 'OCVM_FAKE_PRL_GUEST_IP',
  prlsrvctl: 'OCVM_FAKE_PRL_GUEST_IP',
  multipass: 'OCVM_FAKE_MULTIPASS_GUEST_IP',
}

const installed: string[] = []

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`

/** Installs (or rewrites, to change `env`) the wrapper of `tool` on `host`. */
export function installFake(host: string, tool: FakeTool, env: Record<string, string> = {}): void {
  const file = hostFsPath(host, `/usr/local/bin/${tool}`)
  const vars = {[GUEST_IP_VAR[tool]]: hostIp(host), ...env}
  writeFileSync(
    file,
    `#!/bin/sh
# ocvm integration tests: FAKE ${tool} (test/fakes/), not the real tool. Removed after the test.
${Object.entries(vars).map(([k, v]) => `export ${k}=${q(v)}`).join('\n')}
exec ${q(process.execPath)} ${q(path.join(FAKES, tool === 'prlsrvctl' ? 'prlsrvctl' : tool))} "$@"
`,
  )
  chmodSync(file, 0o755)
  if (!installed.includes(file)) installed.push(file)
}

/**
 * Lume runs only on Apple Silicon: a namespace host standing in for a Mac answers `uname -m` with
 * arm64 (everything else goes to the real uname), so ocvm's architecture check sees a Mac.
 */
export function actAsAppleSilicon(host: string): void {
  const file = hostFsPath(host, '/usr/local/bin/uname')
  writeFileSync(file, `#!/bin/sh
# ocvm integration tests: this namespace host plays an Apple Silicon Mac. Removed after the test.
if [ "$#" -eq 1 ] && [ "$1" = "-m" ]; then echo arm64; exit 0; fi
exec /usr/bin/uname "$@"
`)
  chmodSync(file, 0o755)
  if (!installed.includes(file)) installed.push(file)
}

/** Removes every wrapper this process installed. */
export function removeFakes(): void {
  for (const file of installed.splice(0)) if (existsSync(file)) rmSync(file)
}
