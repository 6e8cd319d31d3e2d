import type {Shell} from '../hosts/shell.js'

// launchctl bootout is asynchronous: it returns at once, and launchd forgets the label only once
// the job has exited (after SIGTERM, or SIGKILL at its ExitTimeOut, 20 s by default). Whoever needs
// the job gone (a final copy of its state, a bootstrap of a new definition, which launchd refuses
// with "5: Input/output error" while the old one is registered) waits for the label to vanish.
const BOOTOUT_AND_WAIT = String.raw`
t="$1"
launchctl print "$t" >/dev/null 2>&1 || exit 0
launchctl bootout "$t" >/dev/null 2>&1
i=0
while launchctl print "$t" >/dev/null 2>&1; do
  i=$((i+1)); [ $i -gt 600 ] && { echo "launchd still has $t 60 s after launchctl bootout" >&2; exit 4; }
  sleep 0.1
done
`

/** Boots `target` (`system/<label>`, `gui/<uid>/<label>`) out and waits until launchd has let it go. */
export async function bootoutAndWait(shell: Shell, target: string): Promise<{ok: boolean; stderr: string}> {
  const r = await shell.script(BOOTOUT_AND_WAIT, [target], {allowFailure: true, timeoutMs: 120_000})
  return {ok: r.exitCode === 0, stderr: r.stderr.trim()}
}

/** What `launchctl print <service-target>` says about a job (the lines ocvm needs; never its environment). */
export interface LaunchdJob {
  state: string
  runs: number
  pid: number | undefined
  /** undefined: never exited. */
  lastExit: number | undefined
}

/** Pure: `launchctl print` output → the job's state. Only `key = value` lines at the job's top level are read. */
export function parseLaunchctlPrint(stdout: string): LaunchdJob {
  const value = (key: string) => new RegExp(`^\\t${key} = (.*)$`, 'm').exec(stdout)?.[1]?.trim()
  const last = value('last exit code')
  const code = last === undefined ? undefined : /^-?\d+/.exec(last)?.[0]
  return {
    state: value('state') ?? 'unknown',
    runs: Number(value('runs') ?? 0),
    pid: value('pid') ? Number(value('pid')) : undefined,
    lastExit: code === undefined ? undefined : Number(code),
  }
}
