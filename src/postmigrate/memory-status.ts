import {z} from 'zod'

import {UnexpectedOutputError} from '../errors.js'

// `openclaw memory status --json` (2026.9): one entry per agent; the `memory` source's counts say
// whether the index covers every eligible memory file.
const SourceCount = z.object({source: z.string(), files: z.number(), chunks: z.number(), dirty: z.boolean().optional(), eligible: z.number().optional()})
const StatusSchema = z.array(z.object({
  agentId: z.string(),
  status: z.object({files: z.number(), chunks: z.number(), dirty: z.boolean().optional(), sourceCounts: z.array(SourceCount).optional()}),
}))

export interface AgentIndex {
  agent: string
  files: number
  chunks: number
  eligible: number
  /** The index covers every eligible memory file. */
  current: boolean
}

/** Pure: `memory status --json` stdout → per-agent index state. */
export function parseMemoryStatus(stdout: string): AgentIndex[] {
  let json: unknown
  try {
    // Log lines like `[memory] …` may come first: the JSON starts at a line opening an array of objects.
    json = JSON.parse(stdout.slice(stdout.search(/^\[\s*[{\]]/m)))
  } catch {
    throw new UnexpectedOutputError('openclaw', 'openclaw memory status --json', 'did not print JSON', undefined, {hint: 'Run it by hand on the target as the service user to see what it says.'})
  }
  const parsed = StatusSchema.safeParse(json)
  if (!parsed.success) throw new UnexpectedOutputError('openclaw', 'openclaw memory status --json', parsed.error.issues[0]?.message ?? 'does not match the schema', undefined, {hint: 'This OpenClaw version prints a different format; report it to ocvm.'})
  return parsed.data.map(({agentId, status}) => {
    const memory = status.sourceCounts?.find((s) => s.source === 'memory')
    const eligible = memory?.eligible ?? memory?.files ?? status.files
    const files = memory?.files ?? status.files
    return {agent: agentId, files, chunks: memory?.chunks ?? status.chunks, eligible, current: memory ? memory.dirty !== true && files >= eligible : status.dirty !== true}
  })
}
