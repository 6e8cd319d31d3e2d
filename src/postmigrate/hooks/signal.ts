import {Writable} from 'node:stream'
import {renderUnicodeCompact} from 'uqr'

import {OcvmError} from '../../errors.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {runAsUser} from '../as-user.js'
import {targetInputs} from '../inputs.js'

// Signal keys never transfer (guide Step 4): the target links as a new device. `signal-cli link`
// prints an sgnl:// URI and waits until a phone scans it; ocvm shows that URI as a QR code in the
// terminal. signal-cli needs Java 21: a stale JAVA_HOME is the usual failure.

const LINK_WAIT_MS = 5 * 60_000

// Linked = signal-cli has an account in its data dir. Java: the major version of the java that
// JAVA_HOME (else PATH) gives the service user.
const STATE = String.raw`
command -v signal-cli >/dev/null 2>&1 && echo cli=1 || echo cli=0
a="$HOME/.local/share/signal-cli/data/accounts.json"
if [ -s "$a" ] && grep -q '"number"' "$a"; then echo linked=1; else echo linked=0; fi
j=java; [ -n "\${JAVA_HOME:-}" ] && j="$JAVA_HOME/bin/java"
echo "javahome=\${JAVA_HOME:-}"
v=$("$j" -version 2>&1 | head -n 1)
echo "java=$v"
`.replaceAll('\\${', '${')

/** Pure: `java -version`'s first line → major version (`openjdk version "21.0.5"` → 21, `"1.8.0_402"` → 8). */
export function javaMajor(line: string): number | undefined {
  const m = /version "(\d+)(?:\.(\d+))?/.exec(line)
  if (!m) return undefined
  const first = Number(m[1])
  return first === 1 && m[2] ? Number(m[2]) : first
}

function signalConfigured(ctx: HookContext): boolean {
  return targetInputs(ctx).channels.includes('signal')
}

async function state(ctx: HookContext): Promise<HookCheck & {cli: boolean; linked: boolean}> {
  if (!signalConfigured(ctx)) return {satisfied: true, details: ['Signal is not configured: nothing to do'], cli: false, linked: false}
  const t = targetInputs(ctx)
  const out = (await runAsUser(ctx.shell, t.user, t.home, ['sh', '-c', STATE], {timeoutMs: 60_000})).stdout
  const v = Object.fromEntries(out.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
  const details: string[] = []
  const cli = v.cli === '1'
  const linked = v.linked === '1'
  if (!cli) details.push(`signal-cli is not on ${t.user}'s PATH: install it (and Java 21) on the target`)
  const major = javaMajor(v.java ?? '')
  if (major === undefined) details.push(`no working Java for ${t.user}${v.javahome ? ` (JAVA_HOME=${v.javahome} is stale?)` : ''}: signal-cli needs Java 21`)
  else if (major < 21) details.push(`Java ${major} found${v.javahome ? ` at JAVA_HOME=${v.javahome}` : ''}: signal-cli needs Java 21; point JAVA_HOME at a Java 21 in the service definition`)
  if (!linked) details.push('this host is not linked to a Signal account yet (re-pair: Signal > Settings > Linked devices)')
  return {satisfied: details.length === 0, details, cli, linked}
}

/** Collects stdout and calls `onUri` once with the first sgnl:// link signal-cli prints. */
function uriWatcher(onUri: (uri: string) => void): Writable & {text: () => string} {
  let buffer = ''
  let seen = false
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      buffer += chunk.toString('utf8')
      const m = /(sgnl:\/\/linkdevice\?\S+|tsdevice:\/\S+)/.exec(buffer)
      if (m?.[1] && !seen) {
        seen = true
        onUri(m[1])
      }
      done()
    },
  })
  return Object.assign(w, {text: () => buffer})
}

export const signal = defineHook({
  id: 'ocvm/signal',
  description: 'Signal does not transfer: link the target as a new device (QR code in the terminal), check Java 21',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: LINK_WAIT_MS + 60_000,
  settles: ['signal-link'],
  async check(ctx) {
    const {satisfied, details} = await state(ctx)
    return {satisfied, details}
  },
  async apply(ctx) {
    const t = targetInputs(ctx)
    const before = await state(ctx)
    if (!before.cli) throw new OcvmError('missing-tool', `signal-cli is not installed for ${t.user} on ${ctx.shell.label}`, {hint: 'Install signal-cli and Java 21 on the target (guide Step 2), then run `ocvm hooks run ocvm/signal` again.'})
    if (before.linked) return {changed: [], actions: before.details}
    let uri = ''
    const out = uriWatcher((u) => {
      uri = u
      ctx.reporter.step(`Scan this with Signal on your phone (Settings > Linked devices > Link new device):\n${renderUnicodeCompact(u)}\n${u}`)
    })
    const r = await runAsUser(ctx.shell, t.user, t.home, ['signal-cli', 'link', '-n', 'OpenClaw'], {stdout: out, allowFailure: true, timeoutMs: LINK_WAIT_MS})
    if (r.exitCode !== 0 || r.timedOut) {
      throw new OcvmError('signal-link-failed', r.timedOut ? 'nobody scanned the Signal link code in time' : `signal-cli link failed: ${r.stderr.trim().split('\n').pop() ?? ''}`, {
        hint: `Run it on the target as ${t.user}: sudo -u ${t.user} -H sh -c 'cd ~ && signal-cli link -n "OpenClaw"' and scan the code${uri ? `, or run this hook again` : ''}.`,
      })
    }
    const associated = /Associated with:?\s*(\S+)/.exec(out.text())?.[1]
    return {changed: [`linked as device "OpenClaw"${associated ? ` of ${associated}` : ''}`], actions: ['Restart the gateway so the Signal channel connects: it reads signal-cli\'s data at startup.']}
  },
  async verify(ctx) {
    const {satisfied, details} = await state(ctx)
    return {satisfied, details}
  },
})
