import type {Shell} from '../hosts/shell.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Pure: whether a /health body says the gateway is up (`{"ok":true,…}`). */
export function healthy(body: string): boolean {
  try {
    return (JSON.parse(body) as {ok?: unknown}).ok === true
  } catch {
    // Not JSON: older gateways answer the UI page with 200.
    return false
  }
}

/**
 * Asks the gateway on `port` for /health until it answers `{"ok":true}` or `waitMs` passed (a
 * freshly started gateway takes a few seconds). `last`: its last answer, for a message.
 */
export async function waitForHealth(shell: Shell, port: number, waitMs: number): Promise<{ok: boolean; last: string}> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const r = await shell.exec(['curl', '-s', '--max-time', '3', `http://127.0.0.1:${port}/health`], {allowFailure: true, timeoutMs: 10_000})
    const last = r.stdout.trim()
    if (healthy(last)) return {ok: true, last}
    if (Date.now() >= deadline) return {ok: false, last}
    await sleep(1000)
  }
}
