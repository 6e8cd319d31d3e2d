import {posix} from '../hosts/remote-fs.js'
import type {Shell} from '../hosts/shell.js'

export interface QuarantinedSession {
  /** Where the transcript was (relative to the state dir). */
  path: string
  /** Where it is now (relative to the state dir). */
  movedTo: string
  reason: 'malformed-tool-output' | 'prompt-injection' | 'unparsable'
}

// Known ways a transcript poisons every later turn (openclaw.md §6, the guide's Step 4):
// - tool output stored with an image `media_type` block that providers reject on replay;
// - stored prompt injection that replays on every turn;
// - lines that are not JSON objects (a torn write), which make the whole session fail to load.
// Each flagged file is moved (never deleted) to quarantine/sessions/<agent>/ inside the state dir.
const SCAN = String.raw`
state="$1"; q="$state/quarantine/sessions"
cd -- "$state" || exit 3
for f in agents/*/sessions/*.jsonl; do
  [ -f "$f" ] || continue
  reason=""
  if grep -q '"media_type"' -- "$f"; then reason=malformed-tool-output
  elif grep -qiE 'ignore (all )?(previous|prior|above) instructions|disregard (all )?(previous|prior|the system)|new system prompt:|you are now (in )?(developer|dan|jailbreak)' -- "$f"; then reason=prompt-injection
  elif awk 'NF && !/^[[:space:]]*\{.*\}[[:space:]]*$/ { bad=1; exit } END { exit !bad }' "$f"; then reason=unparsable
  fi
  [ -n "$reason" ] || continue
  agent=$(printf '%s' "$f" | cut -d/ -f2)
  mkdir -p -- "$q/$agent" && mv -- "$f" "$q/$agent/" && printf '%s\t%s\t%s\0' "$f" "quarantine/sessions/$agent/$(basename -- "$f")" "$reason"
done
exit 0
`

/** `--sessions scan`: moves poisoned transcripts in the (staged) state dir into quarantine. */
export async function quarantineSessions(shell: Shell, stateDir: string): Promise<QuarantinedSession[]> {
  const result = await shell.script(SCAN, [stateDir], {timeoutMs: 30 * 60_000})
  return parseQuarantine(result.stdout)
}

export function parseQuarantine(stdout: string): QuarantinedSession[] {
  return stdout.split('\0').filter(Boolean).flatMap((record) => {
    const [path = '', movedTo = '', reason = ''] = record.split('\t')
    return reason === 'malformed-tool-output' || reason === 'prompt-injection' || reason === 'unparsable' ? [{path, movedTo, reason}] : []
  })
}

export function describeQuarantine(items: readonly QuarantinedSession[], stateDir: string): string[] {
  return items.map((q) => `quarantined ${posix.join(stateDir, q.path)} (${q.reason}) → ${posix.join(stateDir, q.movedTo)}`)
}
