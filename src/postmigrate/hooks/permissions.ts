import {applyPermissions} from '../../deployment/commit.js'
import {defineHook, type HookContext} from '../api.js'
import {targetInputs} from '../inputs.js'

// The guide's Step 7 (Linux and macOS alike): the service user owns everything; the home, the state
// dir and the WhatsApp dir 700; config, $include and .env files, credentials, identity and auth
// profiles 600. Applying is the migration's own permission step (one implementation, which is
// stricter: every dir 700); this check is the guide's list, read-only, and names each path that is
// off. Runtime files the gateway creates later (locks, tmp/) are the gateway's business.
const CHECK = String.raw`
s="$1"; home="$2"; user="$3"; shift 3
bad() { printf '%s\t%s\n' "$1" "$2"; }
mode() { ls -ld "$1" | cut -c2-10; }
for d in "$home" "$s" "$s/credentials/whatsapp"; do [ -d "$d" ] && [ "$(mode "$d")" != "rwx------" ] && bad "$d" 'dir is not 700'; done
for r in "$s" "$@"; do [ -e "$r" ] && find "$r" ! -user "$user" -print | head -n 20 | while IFS= read -r p; do bad "$p" "not owned by $user"; done; done
{
  find "$s" -maxdepth 1 -type f ! -perm 600 -print
  [ -d "$s/credentials" ] && find "$s/credentials" -type f ! -perm 600 -print
  [ -d "$s/identity" ] && find "$s/identity" -type f -name '*.json' ! -perm 600 -print
  [ -d "$s/devices" ] && find "$s/devices" -type f -name '*.json' ! -perm 600 -print
  [ -d "$s/agents" ] && find "$s/agents" -type f \( -name 'auth-profiles.json' -o -name 'auth.json' \) ! -perm 600 -print
} | head -n 50 | while IFS= read -r p; do bad "$p" 'file is not 600'; done
exit 0
`

interface Violation {
  path: string
  problem: string
}

export function parseViolations(stdout: string): Violation[] {
  return stdout.split('\n').filter(Boolean).map((line) => {
    const [path = '', problem = ''] = line.split('\t')
    return {path, problem}
  })
}

async function violations(ctx: HookContext): Promise<Violation[]> {
  const t = targetInputs(ctx)
  const result = await ctx.shell.script(CHECK, [t.stateDir, t.home, t.user, ...t.otherRoots], {timeoutMs: 5 * 60_000})
  return parseViolations(result.stdout)
}

export const permissions = defineHook({
  id: 'ocvm/permissions',
  description: 'owner and modes of the guide\'s Step 7: home and state dir 700; config, credentials, identity, auth profiles 600',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 10 * 60_000,
  async check(ctx) {
    const found = await violations(ctx)
    return {satisfied: found.length === 0, details: found.map((v) => `${v.path}: ${v.problem}`)}
  },
  async apply(ctx) {
    const t = targetInputs(ctx)
    const before = await violations(ctx)
    await applyPermissions(ctx.shell, t.stateDir, `${t.user}:${t.group}`, t.otherRoots)
    await ctx.shell.exec(['chmod', '700', t.home], {timeoutMs: 30_000})
    return {changed: before.map((v) => `${v.path}: fixed (${v.problem})`)}
  },
  async verify(ctx) {
    const found = await violations(ctx)
    return {satisfied: found.length === 0, details: found.map((v) => `${v.path}: ${v.problem}`)}
  },
})
