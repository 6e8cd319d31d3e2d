import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import type {RootPlan} from './roots.js'

// The commit point: each verified staging dir is renamed into place (same filesystem, so the
// switch is atomic). An existing target is only ever moved aside (--force), never deleted.
const ACTIVATE = String.raw`
staging="$1"; target="$2"; force="$3"; run="$4"; again="$5"
# An earlier attempt of this run was killed right after its rename: the target is already ours.
if [ ! -d "$staging" ] && [ "$again" = 1 ] && [ -d "$target" ]; then exit 0; fi
[ -d "$staging" ] || exit 5
if [ -e "$target" ] || [ -L "$target" ]; then
  [ "$force" = 1 ] || exit 3
  mv -- "$target" "$target.ocvm-old-$run" || exit 4
fi
mkdir -p -- "$(dirname -- "$target")" && mv -- "$staging" "$target"
`

/** `again`: this run already started activating this root (the journal says so) and was interrupted. */
export async function activateRoot(shell: Shell, root: RootPlan, options: {force: boolean; runId: string; again?: boolean}): Promise<void> {
  const result = await shell.script(ACTIVATE, [root.staging, root.target, options.force ? '1' : '0', options.runId, options.again ? '1' : '0'], {allowFailure: true, timeoutMs: 120_000})
  if (result.exitCode === 0) return
  if (result.exitCode === 3) {
    throw new OcvmError('target-exists', `${root.target} already exists on ${shell.label}`, {hint: 'Use --force to keep the existing one aside (renamed to *.ocvm-old-<run>) and activate the migrated copy.'})
  }
  throw new OcvmError('commit-failed', `could not move ${root.staging} to ${root.target} on ${shell.label}: ${result.stderr.trim().split('\n').pop() ?? `exit ${result.exitCode}`}`, {hint: 'Nothing of this root was activated; fix the cause and run again with --resume.'})
}

// The guide's Step 7, plus ownership: the service user owns everything, dirs 700, secrets 600.
const PERMISSIONS = String.raw`
s="$1"; owner="$2"; shift 2
for r in "$s" "$@"; do chown -R -- "$owner" "$r"; done
chmod 700 "$s"
find "$s" -type d -exec chmod 700 {} +
# Top-level files are config, $include files, .env and approvals: all may hold secrets.
find "$s" -maxdepth 1 -type f -exec chmod 600 {} +
[ -d "$s/credentials" ] && find "$s/credentials" -type f -exec chmod 600 {} +
[ -d "$s/identity" ] && find "$s/identity" -type f -name '*.json' -exec chmod 600 {} +
[ -d "$s/devices" ] && find "$s/devices" -type f -name '*.json' -exec chmod 600 {} +
[ -d "$s/agents" ] && find "$s/agents" -type f \( -name 'auth-profiles.json' -o -name 'auth.json' -o -name 'sessions.json' -o -name '*.jsonl' -o -name '*.sqlite*' \) -exec chmod 600 {} +
[ -d "$s/state" ] && find "$s/state" -type f -exec chmod 600 {} +
exit 0
`

export async function applyPermissions(shell: Shell, stateDir: string, owner: string, otherRoots: readonly string[]): Promise<void> {
  await shell.script(PERMISSIONS, [stateDir, owner, ...otherRoots], {timeoutMs: 10 * 60_000})
}

export async function removeStaging(shell: Shell, roots: readonly RootPlan[]): Promise<void> {
  const dirs = roots.map((r) => r.staging).filter((d) => /\/\.ocvm-staging-[^/]+$/.test(d))
  if (dirs.length > 0) await shell.exec(['rm', '-rf', '--', ...dirs], {allowFailure: true, timeoutMs: 10 * 60_000})
}

// Parents of a target that do not exist yet are created for the target user, not for root, so the
// user can reach its workspace (e.g. /home/bob/research-ws for /home/bob/research-ws/search).
const ENSURE_PARENT = String.raw`
dir="$1"; owner="$2"
missing=""
d="$dir"
while [ ! -e "$d" ]; do missing="$d
$missing"; d=$(dirname -- "$d"); done
printf '%s' "$missing" | while IFS= read -r m; do
  [ -n "$m" ] || continue
  mkdir -m 700 -- "$m" && chown -- "$owner" "$m"
done
`

export async function ensureParent(shell: Shell, target: string, owner: string): Promise<void> {
  const parent = target.replace(/\/[^/]+$/, '') || '/'
  await shell.script(ENSURE_PARENT, [parent, owner], {timeoutMs: 60_000})
}
