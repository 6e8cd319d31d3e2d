import {z} from 'zod'

import {OcvmError, UnexpectedOutputError} from '../../errors.js'
import type {Shell} from '../../hosts/shell.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {secretValues, targetInputs} from '../inputs.js'

// Tailscale after a move (guide Step 7): the new node must join with tag:openclaw, and when the
// source exposed Google Chat's webhook through Funnel, the path-scoped Funnel comes back and the
// new public URL is what the Chat app must be told. The auth key comes from the secrets input and
// reaches `tailscale up` as `--auth-key=file:…` (a 0600 temp file fed through stdin), never argv.

export const TAG = 'tag:openclaw'
const KEY_NAMES = ['TS_AUTHKEY', 'TAILSCALE_AUTHKEY']
const FUNNEL_PATH = '/googlechat'

const StatusSchema = z.object({
  BackendState: z.string(),
  Self: z.object({DNSName: z.string().default(''), Tags: z.array(z.string()).nullish(), TailscaleIPs: z.array(z.string()).nullish()}).nullish(),
})

/** Pure: `tailscale status --json` → what the hook needs. */
export function parseTailscaleStatus(stdout: string): {running: boolean; dnsName: string; tags: string[]; ips: string[]} {
  const parsed = StatusSchema.safeParse(JSON.parse(stdout))
  if (!parsed.success) throw new UnexpectedOutputError('tailscale', 'tailscale status --json', `${parsed.error.issues[0]?.path.join('.') || '(top level)'}: ${parsed.error.issues[0]?.message ?? 'does not match the schema'}`, undefined, {hint: 'Check `tailscale version` on the target.'})
  const self = parsed.data.Self
  return {running: parsed.data.BackendState === 'Running', dnsName: (self?.DNSName ?? '').replace(/\.$/, ''), tags: self?.Tags ?? [], ips: self?.TailscaleIPs ?? []}
}

// The source's node, read before the move (nothing changes there): whether it was on a tailnet and
// whether its Funnel exposed the Google Chat webhook.
const SOURCE_STATE = `command -v tailscale >/dev/null 2>&1 || exit 0; tailscale status --json 2>/dev/null; echo; echo '--funnel--'; tailscale funnel status --json 2>/dev/null; exit 0`

/** What the source's Tailscale looked like (`tailnet`: logged in). Never fails: no tailscale is an answer. */
export async function readSourceTailnet(shell: Shell): Promise<{tailnet: boolean; funnel: boolean}> {
  const out = (await shell.script(SOURCE_STATE, [], {allowFailure: true, timeoutMs: 30_000})).stdout
  const [status = '', funnel = ''] = out.split('--funnel--')
  let tailnet = false
  try {
    tailnet = status.trim() !== '' && parseTailscaleStatus(status).running
  } catch {
    tailnet = false
  }
  return {tailnet, funnel: funnel.includes(`"${FUNNEL_PATH}"`)}
}

function wanted(ctx: HookContext): {tailnet: boolean; funnel: boolean; key: string | undefined} {
  const t = targetInputs(ctx)
  const secrets = secretValues(ctx)
  const keyName = KEY_NAMES.find((k) => secrets.has(k))
  return {tailnet: Boolean(t.source?.tailnet), funnel: Boolean(t.source?.funnel) || t.channels.includes('googlechat'), key: keyName ? secrets.get(keyName) : undefined}
}

async function installed(ctx: HookContext): Promise<boolean> {
  return (await ctx.shell.script('command -v tailscale >/dev/null 2>&1', [], {allowFailure: true, timeoutMs: 30_000})).exitCode === 0
}

async function state(ctx: HookContext): Promise<HookCheck & {dnsName?: string}> {
  const want = wanted(ctx)
  if (!(await installed(ctx))) {
    if (!want.key && !want.funnel && !want.tailnet) return {satisfied: true, details: ['Tailscale is not installed and not asked for: nothing to do']}
    const why = [want.tailnet ? `the source was a tailnet node (${TAG})` : '', want.funnel ? `Google Chat's webhook needs Funnel on ${FUNNEL_PATH}` : ''].filter(Boolean).join('; ')
    return {satisfied: false, details: [`tailscale is not installed on the target${why ? ` (${why})` : ''}`]}
  }
  const status = parseTailscaleStatus((await ctx.shell.exec(['tailscale', 'status', '--json'], {timeoutMs: 30_000})).stdout)
  const details: string[] = []
  if (!status.running) details.push('the node is not logged in (tailscale up)')
  if (!status.tags.includes(TAG)) details.push(`the node is not tagged ${TAG}`)
  if (want.funnel) {
    const funnel = await ctx.shell.exec(['tailscale', 'funnel', 'status', '--json'], {allowFailure: true, timeoutMs: 30_000})
    if (!funnel.stdout.includes(`"${FUNNEL_PATH}"`)) details.push(`Funnel does not expose ${FUNNEL_PATH} (Google Chat webhook)`)
  }
  return {satisfied: details.length === 0, details: details.length > 0 ? details : [`${status.dnsName} (${status.ips.join(', ')}) tagged ${TAG}`], dnsName: status.dnsName}
}

const UP_WITH_KEY_FILE = String.raw`
umask 077; f=$(mktemp) || exit 1
cat > "$f"
tailscale up --auth-key="file:$f" --advertise-tags="$1"; s=$?
rm -f "$f"; exit $s
`

export const tailscale = defineHook({
  id: 'ocvm/tailscale',
  description: 'tailscale up with an auth key from the secrets input, advertise tag:openclaw, re-enable path-scoped Funnel for Google Chat',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 3 * 60_000,
  check: state,
  async apply(ctx) {
    const t = targetInputs(ctx)
    const want = wanted(ctx)
    if (!(await installed(ctx))) {
      const {details} = await state(ctx)
      throw new OcvmError('missing-tool', details[0]?.replace('the target', ctx.shell.label) ?? `tailscale is not installed on ${ctx.shell.label}`, {hint: `Install it (https://tailscale.com/download), then \`ocvm hooks run ocvm/tailscale --on ${ctx.shell.label} --secrets-file FILE\` with TS_AUTHKEY (a key allowed to use ${TAG}) in FILE.`})
    }
    const before = await state(ctx)
    const changed: string[] = []
    if (before.details.some((d) => d.includes('tailscale up') || d.includes(TAG))) {
      if (!want.key) throw new OcvmError('secret-missing', 'no Tailscale auth key in the secrets input', {hint: `Add TS_AUTHKEY=tskey-auth-… (a key allowed to use ${TAG}) to the --secrets-file and run the hook again.`})
      await ctx.shell.script(UP_WITH_KEY_FILE, [TAG], {input: want.key, timeoutMs: 2 * 60_000})
      changed.push(`tailscale up, advertising ${TAG}`)
    }
    if (want.funnel && before.details.some((d) => d.startsWith('Funnel'))) {
      await ctx.shell.exec(['tailscale', 'funnel', '--bg', '--set-path', FUNNEL_PATH, `http://127.0.0.1:${t.port}${FUNNEL_PATH}`], {timeoutMs: 60_000})
      changed.push(`tailscale funnel --set-path ${FUNNEL_PATH} -> http://127.0.0.1:${t.port}${FUNNEL_PATH}`)
    }
    const after = await state(ctx)
    const actions = want.funnel && after.dnsName ? [`Set the Google Chat app's webhook URL (GCP Console > Chat API > Configuration) to https://${after.dnsName}${FUNNEL_PATH}`] : []
    return {changed, actions}
  },
  verify: state,
})
