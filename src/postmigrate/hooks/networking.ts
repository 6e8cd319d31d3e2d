import {getPath, stringLeaves} from '../../deployment/config-loader.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {targetInputs} from '../inputs.js'
import {readTargetConfig} from '../target-config.js'

// Records the target's addresses and checks what a move breaks on the network side: the gateway
// must bind loopback only, and nothing in the config may still name the old host. Nothing here is
// changed automatically (a bind or an allowlist is a security decision): each finding has its fix.

const ADDRESSES = String.raw`
hostname 2>/dev/null
echo '--'
if command -v ip >/dev/null 2>&1; then ip -o addr show 2>/dev/null | awk '{print $4}' | cut -d/ -f1; else ifconfig 2>/dev/null | awk '/inet6? /{print $2}'; fi
echo '--'
if command -v ss >/dev/null 2>&1; then ss -ltnH "sport = :$1" 2>/dev/null | awk '{print $4}'; elif command -v lsof >/dev/null 2>&1; then lsof -nP -iTCP:"$1" -sTCP:LISTEN 2>/dev/null | awk 'NR>1{print $9}'; fi
`

/** Pure: is this listen address loopback (127.x, ::1, localhost)? */
export function isLoopbackListen(address: string): boolean {
  const host = address.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  return /^127\./.test(host) || host === '::1' || host === 'localhost'
}

/** Pure: `text` names `host` as a whole name (not ocvm-src2, not a.ocvm-src). */
export function mentions(text: string, host: string): boolean {
  const escaped = host.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&')
  return new RegExp(`(^|[^A-Za-z0-9.-])${escaped}($|[^A-Za-z0-9-])`).test(text)
}

async function state(ctx: HookContext): Promise<HookCheck> {
  const t = targetInputs(ctx)
  const [hostPart = '', addrPart = '', listenPart = ''] = (await ctx.shell.script(ADDRESSES, [String(t.port)], {timeoutMs: 30_000})).stdout.split('--\n')
  const addresses = addrPart.split('\n').map((s) => s.trim()).filter((a) => a && !isLoopbackListen(a))
  const details = [`target ${hostPart.trim()} addresses: ${addresses.join(', ') || 'none besides loopback'}`]
  let ok = true
  const config = (await readTargetConfig(ctx.shell, t.configPath)).merged
  const bind = getPath(config, 'gateway.bind')
  if (bind !== 'loopback') {
    ok = false
    details.push(`gateway.bind is ${bind === undefined ? 'not set (OpenClaw may pick a non-loopback bind)' : JSON.stringify(bind)}: set gateway.bind to "loopback" in ${t.configPath} and reach it through Tailscale or an ssh tunnel`)
  }
  const exposed = listenPart.split('\n').map((s) => s.trim()).filter((a) => a && !isLoopbackListen(a))
  if (exposed.length > 0) {
    ok = false
    details.push(`port ${t.port} listens on ${exposed.join(', ')}: only 127.0.0.1/::1 may; fix gateway.bind and restart the gateway`)
  }
  const oldNames = (t.source?.names ?? []).filter((n) => n && n !== 'local' && !addresses.includes(n) && n !== hostPart.trim())
  for (const leaf of stringLeaves(config)) {
    const hit = oldNames.find((n) => mentions(leaf.value, n))
    if (hit) {
      ok = false
      details.push(`${leaf.key} still names the old host ${hit}: change it to the target's name or address`)
    }
  }
  return {satisfied: ok, details}
}

export const networking = defineHook({
  id: 'ocvm/networking',
  description: 'record the target\'s addresses; check the gateway binds loopback only and the config no longer names the old host',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 60_000,
  check: state,
  async apply(ctx) {
    const s = await state(ctx)
    return {changed: [], actions: s.details.slice(1)}
  },
  verify: state,
})
