import {gatewayPids} from '../deployment/gateway-control.js'
import type {Shell} from '../hosts/shell.js'

const LISTENING = 'Listening for personal WhatsApp inbound messages'

// The clock, how long each given gateway process has run (ps etime: [[dd-]hh:]mm:ss, on Linux and
// macOS alike), then every "Listening" line of the gateway logs.
const READ = String.raw`
d="$1"; shift
echo "N $(date +%s)"
for p in "$@"; do et=$(ps -o etime= -p "$p" 2>/dev/null) && echo "E $et"; done
grep -hs "${LISTENING}" "$d"/*.log /tmp/openclaw/*.log | sed 's/^/L /'
exit 0
`

/** Pure: ps's elapsed time (`[[dd-]hh:]mm:ss`) in seconds. */
export function etimeSeconds(etime: string): number | undefined {
  const m = /^(?:(?:(\d+)-)?(\d+):)?(\d+):(\d+)$/.exec(etime.trim())
  if (!m) return undefined
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3])) * 60 + Number(m[4])
}

/**
 * Pure: whether a gateway that runs now said it listens. A log line from before the oldest of
 * its processes started is an earlier gateway's (a log copied from the source says nothing of
 * the target). Lines are `2026-12-07T10:36:46.076+00:00 …`.
 */
export function listeningNow(output: string): 'listening' | 'no-gateway' | 'silent' {
  const lines = output.split('\n')
  const now = Number(lines.find((l) => l.startsWith('N '))?.slice(2))
  const ran = lines.filter((l) => l.startsWith('E ')).map((l) => etimeSeconds(l.slice(2))).filter((s): s is number => s !== undefined)
  if (ran.length === 0 || !Number.isFinite(now)) return 'no-gateway'
  const startedMs = (now - Math.max(...ran) - 1) * 1000
  const said = lines.filter((l) => l.startsWith('L ')).map((l) => Date.parse(l.slice(2).split(' ')[0] ?? ''))
  return said.some((at) => Number.isFinite(at) && at >= startedMs) ? 'listening' : 'silent'
}

/** The gateway processes are the ones every other check finds (gateway-control's `gatewayPids`). */
export async function whatsappListening(shell: Shell, user: string, logDir: string): Promise<ReturnType<typeof listeningNow>> {
  const pids = await gatewayPids(shell, user)
  return listeningNow((await shell.script(READ, [logDir, ...pids.map(String)], {allowFailure: true, timeoutMs: 30_000})).stdout)
}
