import {createHash} from 'node:crypto'

import {readEnvKeys} from '../../hosts/remote-fs.js'
import {parseLaunchdPlist} from '../../deployment/services.js'
import {defineHook, type HookContext} from '../api.js'
import {launchDaemonPath, secretsFilePath, secretValues, targetInputs} from '../inputs.js'
import {GATEWAY_TOKEN, newGatewayToken, NOT_CONFIGURED, quoteEnvValue} from '../secrets-input.js'

// Secrets are entered on the target, never copied: Linux gets a root-owned 0600 EnvironmentFile,
// macOS the LaunchDaemon plist's EnvironmentVariables (0600). Values only ever travel through the
// remote command's stdin; argv carries names.

interface KeyState {
  name: string
  value: 'set' | 'empty' | 'placeholder'
}

interface Present {
  exists: boolean
  /** `600 0:0`: numeric owner and group (group 0 is root on Linux, wheel on macOS). */
  mode: string
  keys: KeyState[]
}

const STAT = `if [ -e "$1" ]; then stat -c '%a %u:%g' -- "$1" 2>/dev/null || stat -f '%Lp %u:%g' -- "$1"; fi`
// Owner root, group 0 (root on Linux, wheel on macOS): numeric, so one rule fits both.
const ROOT_ONLY = /^600 0:0$/
const ROOT_ONLY_TEXT = (os: string) => (os === 'macos' ? '600 root:wheel' : '600 root:root')

function targetFile(ctx: HookContext): string {
  const t = targetInputs(ctx)
  return ctx.os === 'macos' ? launchDaemonPath(t) : secretsFilePath(t)
}

async function present(ctx: HookContext): Promise<Present> {
  const file = targetFile(ctx)
  const mode = (await ctx.shell.script(STAT, [file], {timeoutMs: 30_000})).stdout.trim()
  if (!mode) return {exists: false, mode: '', keys: []}
  if (ctx.os === 'macos') {
    const xml = (await ctx.shell.exec(['plutil', '-convert', 'xml1', '-o', '-', '--', file], {timeoutMs: 30_000})).stdout
    const parsed = parseLaunchdPlist(xml, file, 'launch-daemon', ctx.runner.redactor)
    return {exists: true, mode, keys: parsed?.secretKeys ?? []}
  }
  const [keys] = await readEnvKeys(ctx.shell, [file])
  return {exists: true, mode, keys: keys?.keys ?? []}
}

// Which given values differ from the file (names on stdout; the values arrive on stdin, one
// NAME="value" line each, and are compared on the host).
const DIFFERS_LINUX = String.raw`
f="$1"
while IFS= read -r line; do
  [ -n "$line" ] || continue
  grep -Fxq -- "$line" "$f" 2>/dev/null || printf '%s\n' "$line" | cut -d= -f1
done
`

// macOS: the plist's values are compared by SHA-256 (NAME=<hex> lines on stdin): the values
// themselves do not even travel for the comparison. `plutil -extract … raw` prints a string as is.
const DIFFERS_MACOS = String.raw`
f="$1"
while IFS='=' read -r k h; do
  [ -n "$k" ] || continue
  cur=$(plutil -extract "EnvironmentVariables.$k" raw -o - -- "$f" 2>/dev/null) || { echo "$k"; continue; }
  [ "$(printf '%s' "$cur" | shasum -a 256 | cut -d' ' -f1)" = "$h" ] || echo "$k"
done
`

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex')

function envLines(values: Array<[string, string]>): string {
  return values.map(([k, v]) => `${k}=${quoteEnvValue(v)}\n`).join('')
}

async function differing(ctx: HookContext, values: Array<[string, string]>): Promise<string[]> {
  if (values.length === 0) return []
  const result = ctx.os === 'macos'
    ? await ctx.shell.script(DIFFERS_MACOS, [targetFile(ctx)], {input: values.map(([k, v]) => `${k}=${sha256(v)}\n`).join(''), timeoutMs: 30_000})
    : await ctx.shell.script(DIFFERS_LINUX, [targetFile(ctx)], {input: envLines(values), timeoutMs: 30_000})
  return result.stdout.split('\n').filter(Boolean)
}

function given(ctx: HookContext): Array<[string, string]> {
  const secrets = secretValues(ctx)
  return secrets.names().map((n) => [n, secrets.get(n) ?? ''])
}

function problems(ctx: HookContext, state: Present, changedNames: string[]): string[] {
  const out: string[] = []
  if (!state.exists) out.push(`${targetFile(ctx)} does not exist`)
  else if (!ROOT_ONLY.test(state.mode)) out.push(`${targetFile(ctx)} is ${state.mode} (mode uid:gid), not ${ROOT_ONLY_TEXT(ctx.os)}`)
  for (const k of state.keys.filter((x) => x.value === 'empty')) out.push(`${k.name} is empty: OpenClaw refuses to start; give a value or ${k.name}=${NOT_CONFIGURED}`)
  if (state.exists && !state.keys.some((k) => k.name === GATEWAY_TOKEN && k.value === 'set')) out.push(`${GATEWAY_TOKEN} is not set: a new one will be generated`)
  for (const name of changedNames) out.push(`${name}: new value to write`)
  return out
}

function missingFromSource(ctx: HookContext, state: Present): string[] {
  const have = new Set([...state.keys.filter((k) => k.value !== 'empty').map((k) => k.name), ...secretValues(ctx).names()])
  return (targetInputs(ctx).source?.secretNames ?? []).filter((n) => !have.has(n) && n !== GATEWAY_TOKEN)
}

const WRITE_LINUX = String.raw`
f="$1"; shift
umask 077
mkdir -p -- "$(dirname -- "$f")"
t=$(mktemp "$f.XXXXXX") || exit 1
if [ -f "$f" ] && [ $# -gt 0 ]; then
  pat="^(export[[:space:]]+)?($(printf '%s\n' "$@" | paste -sd'|' -))[[:space:]]*="
  grep -Ev -- "$pat" "$f" > "$t" || true
elif [ -f "$f" ]; then cat -- "$f" > "$t"; fi
cat >> "$t"
chown root:root "$t" && chmod 600 "$t" && mv -f -- "$t" "$f"
`

// PlistBuddy reads its commands from stdin when none is given with -c: values never reach argv.
function plistBuddyCommands(values: Array<[string, string]>): string {
  const q = (s: string) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`
  return ['Add :EnvironmentVariables dict', ...values.flatMap(([k, v]) => [`Delete :EnvironmentVariables:${k}`, `Add :EnvironmentVariables:${k} string ${q(v)}`]), 'Save', 'Exit', ''].join('\n')
}

export const secrets = defineHook({
  id: 'ocvm/secrets',
  description: 'enter secrets on the target from --secrets-file/stdin/env (never argv): /etc/openclaw/secrets.env or the LaunchDaemon plist, new gateway token',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 2 * 60_000,
  settles: ['secrets'],
  async check(ctx) {
    const state = await present(ctx)
    const blocking = problems(ctx, state, state.exists ? await differing(ctx, given(ctx)) : [])
    const missing = missingFromSource(ctx, state)
    return {satisfied: blocking.length === 0, details: [...blocking, ...(missing.length > 0 ? [`not provided (the source had them): ${missing.join(', ')}`] : [])]}
  },
  async apply(ctx) {
    const before = await present(ctx)
    const values = given(ctx)
    const changed: string[] = []
    const hasToken = values.some(([k]) => k === GATEWAY_TOKEN) || before.keys.some((k) => k.name === GATEWAY_TOKEN && k.value === 'set')
    if (!hasToken) {
      const token = newGatewayToken()
      ctx.runner.redactor.add(token)
      values.push([GATEWAY_TOKEN, token])
      changed.push(`${GATEWAY_TOKEN}: generated a new token (32 random bytes, hex)`)
    }
    const changedNames = new Set(before.exists ? await differing(ctx, values) : values.map(([k]) => k))
    const toWrite = values.filter(([k]) => changedNames.has(k))
    const file = targetFile(ctx)
    if (ctx.os === 'macos') {
      await ctx.shell.exec(['/usr/libexec/PlistBuddy', file], {input: plistBuddyCommands(toWrite), allowFailure: true, timeoutMs: 30_000})
      // PlistBuddy saves a new file (mode from the umask): make it root-only again.
      await ctx.shell.script('chown 0:0 "$1" && chmod 600 "$1"', [file], {timeoutMs: 30_000})
    } else {
      await ctx.shell.script(WRITE_LINUX, [file, ...toWrite.map(([k]) => k)], {input: envLines(toWrite), timeoutMs: 30_000})
    }
    changed.push(...toWrite.map(([k]) => `${k}: written to ${file}`))
    if (!changed.length) changed.push(`${file}: owner and mode set to root, 600`)
    const after = await present(ctx)
    const missing = missingFromSource(ctx, after)
    const actions = missing.length > 0 ? [`Add the keys the source had and this run did not get (${missing.join(', ')}) to your secrets file and run \`ocvm hooks run ocvm/secrets --on ${ctx.shell.label} --secrets-file FILE\` (use ${NOT_CONFIGURED} for keys you do not use).`] : []
    if (!hasToken) actions.push(`Clients that talk to this gateway need its new ${GATEWAY_TOKEN} (read it on the target: sudo cat ${file}).`)
    return {changed, actions}
  },
  async verify(ctx) {
    const state = await present(ctx)
    const details = problems(ctx, state, await differing(ctx, given(ctx))).filter((d) => !d.startsWith('not provided'))
    return {satisfied: details.length === 0, details}
  },
})
