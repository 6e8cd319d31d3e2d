import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {runAsUser} from '../as-user.js'
import {targetInputs} from '../inputs.js'
import {parseMemoryStatus} from '../memory-status.js'

const HEARTBEAT_MS = 15_000

async function state(ctx: HookContext): Promise<HookCheck> {
  const t = targetInputs(ctx)
  const r = await runAsUser(ctx.shell, t.user, t.home, ['openclaw', 'memory', 'status', '--json'], {timeoutMs: 120_000})
  const agents = parseMemoryStatus(r.stdout)
  const stale = agents.filter((a) => !a.current)
  return {
    satisfied: stale.length === 0,
    details: agents.map((a) => `agent ${a.agent}: ${a.files}/${a.eligible} memory file(s) indexed, ${a.chunks} chunk(s)${a.current ? '' : ' — needs a rebuild'}`),
  }
}

export const memoryIndex = defineHook({
  id: 'ocvm/memory-index',
  description: 'rebuild the memory search index on the target (openclaw memory index --force, as the service user)',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 30 * 60_000,
  settles: ['memory-index'],
  check: state,
  async apply(ctx) {
    const t = targetInputs(ctx)
    // It can run for minutes without a word: say that it is alive.
    const started = Date.now()
    const heartbeat = setInterval(() => ctx.reporter.step(`ocvm/memory-index: still indexing (${Math.round((Date.now() - started) / 1000)} s)`), HEARTBEAT_MS)
    try {
      const r = await runAsUser(ctx.shell, t.user, t.home, ['openclaw', 'memory', 'index', '--force'], {timeoutMs: 29 * 60_000})
      const lines = r.stdout.split('\n').filter((l) => /index updated/i.test(l)).map((l) => l.trim())
      return {changed: lines.length > 0 ? lines : ['memory index rebuilt']}
    } finally {
      clearInterval(heartbeat)
    }
  },
  verify: state,
})
