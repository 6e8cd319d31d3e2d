import {defineDriver, DRIVER_API_VERSION} from '../api.js'

const REQUIRED = ['sh', 'tar', 'find', 'awk'] as const

/**
 * The `file` driver moves the OpenClaw state of a bare host (no VM image): the fallback that always
 * works, and what runs inside guests. Its level is `state`, so a migration, export or import with it
 * runs the pipeline's state steps through the shells `stateShell` gives. It needs only sh, tar,
 * find and awk on each end.
 */
export const fileDriver = defineDriver({
  name: 'file',
  apiVersion: DRIVER_API_VERSION,
  description: 'Bare-host deployments: moves the OpenClaw state itself over ssh (needs only sh and tar on each end).',
  capabilities: {level: 'state', export: false, import: false, live: false, guestExec: false, formats: []},
  async probe(host, ctx) {
    const shell = ctx.shells.get(host)
    const result = await shell.script(`for t in ${REQUIRED.join(' ')}; do command -v "$t" >/dev/null 2>&1 || echo "$t"; done; tar --version 2>/dev/null | head -n 1`, [], {timeoutMs: 30_000})
    const lines = result.stdout.trim().split('\n').filter(Boolean)
    const missing = lines.filter((l) => (REQUIRED as readonly string[]).includes(l))
    const version = lines.find((l) => !missing.includes(l))
    return missing.length > 0
      ? {available: false, missing: true, detail: `missing on ${shell.label}: ${missing.join(', ')} (install them with the system package manager)`}
      : {available: true, ...(version ? {version} : {})}
  },
  // The state lives on the host itself: its one multiplexed ssh connection (or this machine).
  async stateShell(host, ctx) {
    return ctx.shells.get(host)
  },
})
