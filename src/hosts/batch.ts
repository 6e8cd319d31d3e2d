import {OcvmError} from '../errors.js'
import type {Shell, ShellRunOptions} from './shell.js'

/** What one command of a batch gave: its exit code and outputs (text). */
export interface BatchResult {
  exitCode: number
  stdout: string
  stderr: string
}

/**
 * sh: `run_first N WORDS...` runs the first N words as one command (argv: eval only ever sees
 * "${k}" references, so the words stay data), for scripts that take two commands in one list.
 */
export const RUN_FIRST_FN = String.raw`run_first() {
  n="$1"; shift
  c=''; k=1; while [ "$k" -le "$n" ]; do c="$c \"\${$k}\""; k=$((k + 1)); done
  eval "$c"
}`

// Runs independent commands at once on the host and frames each one's results:
// `OCVM-BATCH <exit> <stdout bytes> <stderr bytes>\n<stdout><stderr>`, in the order given.
// Positional args are `<argc> <argv...>` per command; eval only ever sees "${k}" references, so
// the words stay data (never parsed as shell code).
const BATCH_SCRIPT = String.raw`
t=$(mktemp -d) || exit 3
trap 'rm -rf "$t"' EXIT
i=0; k=1
while [ "$k" -le $# ]; do
  eval "n=\${$k}"; k=$((k + 1)); cmd=''; j=0
  while [ "$j" -lt "$n" ]; do cmd="$cmd \"\${$k}\""; k=$((k + 1)); j=$((j + 1)); done
  ( eval "$cmd" </dev/null >"$t/$i.o" 2>"$t/$i.e"; echo $? >"$t/$i.rc" ) &
  i=$((i + 1))
done
wait
j=0
while [ "$j" -lt "$i" ]; do
  printf 'OCVM-BATCH %s %s %s\n' "$(cat "$t/$j.rc")" "$(wc -c <"$t/$j.o" | tr -d ' ')" "$(wc -c <"$t/$j.e" | tr -d ' ')"
  cat "$t/$j.o" "$t/$j.e"
  j=$((j + 1))
done
`

/** Pure: the batch script's framed output, one result per command. */
export function parseBatch(out: Uint8Array, count: number): BatchResult[] {
  const buf = Buffer.from(out)
  const results: BatchResult[] = []
  let at = 0
  while (results.length < count) {
    const eol = buf.indexOf(0x0a, at)
    const head = /^OCVM-BATCH (\d+) (\d+) (\d+)$/.exec(eol < 0 ? '' : buf.subarray(at, eol).toString('latin1'))
    if (!head) throw new OcvmError('unexpected-output', `unexpected output from a batch of ${count} commands (at byte ${at})`, {hint: 'The host needs a POSIX sh with mktemp, wc and cat.'})
    const [exitCode, outLen, errLen] = [Number(head[1]), Number(head[2]), Number(head[3])]
    const start = eol + 1
    results.push({exitCode, stdout: buf.subarray(start, start + outLen).toString('utf8'), stderr: buf.subarray(start + outLen, start + outLen + errLen).toString('utf8')})
    at = start + outLen + errLen
  }
  return results
}

/**
 * Runs independent, read-only commands in one round trip (each ssh command costs a session on the
 * master connection and a remote shell): they run at the same time there, results come back in
 * order. Never for commands with effects whose order matters.
 */
export async function execAll(shell: Shell, commands: ReadonlyArray<readonly string[]>, options: ShellRunOptions = {}): Promise<BatchResult[]> {
  if (commands.length === 0) return []
  const args = commands.flatMap((argv) => [String(argv.length), ...argv])
  const r = await shell.script(BATCH_SCRIPT, args, {...options, binary: true})
  return parseBatch(r.stdoutBytes ?? Buffer.from(r.stdout), commands.length)
}
