import {MissingToolError, OcvmError} from '../../errors.js'
import type {RunResult} from '../../exec/runner.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {runAsUser} from '../as-user.js'
import {targetInputs} from '../inputs.js'
import {parseMemoryStatus} from '../memory-status.js'

const HEARTBEAT_MS = 15_000

/** `openclaw ARGS` as the service user. No CLI: the guide's way to install it, not the generic apt/brew hint. */
async function openclaw(ctx: HookContext, args: string[], timeoutMs: number): Promise<RunResult> {
  const t = targetInputs(ctx)
  try {
    return await runAsUser(ctx.shell, t.user, t.home, ['openclaw', ...args], {timeoutMs})
  } catch (error) {
    if (!(error instanceof MissingToolError) || error.details.tool !== 'openclaw') throw error
    throw new OcvmError('openclaw-missing', `openclaw is not on ${t.user}'s PATH on ${ctx.shell.label}`, {hint: 'Install it on the target first (npm install -g openclaw, or the installer), as the guide\'s Step 2 says.'})
  }
}

async function state(ctx: HookContext): Promise<HookCheck> {
  const r = await openclaw(ctx, ['memory', 'status', '--json'], 120_000)
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
    // It can run for minutes without a word: say that it is alive.
    const started = Date.now()
    const heartbeat = setInterval(() => ctx.reporter.step(`ocvm/memory-index: still indexing (${Math.round((Date.now() - started) / 1000)} s)`), HEARTBEAT_MS)
    try {
      const r = await openclaw(ctx, ['memory', 'index', '--force'], 29 * 60_000)
      const lines = r.stdout.split('\n').filter((l) => /index updated/i.test(l)).map((l) => l.trim())
      return {changed: lines.length > 0 ? lines : ['memory index rebuilt']}
    } finally {
      clearInterval(heartbeat)
    }
  },
  verify: state,
})
