import {z} from 'zod'

import {UsageError} from '../../errors.js'
import {DEFAULT_URI} from './virsh.js'

/** `--network-map a=b,c=d` (or an object from a plugin/API caller). */
const NetworkMap = z.union([
  z.record(z.string(), z.string()),
  z.array(z.string()).transform((pairs) => pairs.join(',')).pipe(z.lazy(() => NetworkMapText)),
  z.lazy(() => NetworkMapText),
])

const NetworkMapText = z.string().transform((text, ctx) => {
    const out: Record<string, string> = {}
    for (const pair of text.split(',').filter(Boolean)) {
      const [from, to, ...rest] = pair.split('=')
      if (!from || !to || rest.length > 0) {
        ctx.addIssue({code: 'custom', message: `"${pair}" is not SOURCE=TARGET`})
        return z.NEVER
      }
      out[from] = to
    }
    return out
  })

const Uri = z.string().min(1).refine((u) => /^[a-z][a-z0-9+.-]*:\/\//i.test(u) && !u.startsWith('-'), 'not a libvirt URI (like qemu:///system)')

/** Driver options from the command line (`--connect`, `--target-connect`, `--target-pool`, ...). */
export const LibvirtOptions = z.object({
  connect: Uri.default(DEFAULT_URI),
  targetConnect: Uri.optional(),
  targetPool: z.string().min(1).default('default'),
  networkMap: NetworkMap.optional(),
  newMac: z.boolean().default(false),
  /** Cold moves: one standalone image per disk instead of its backing chain (`qemu-img convert` on the source). */
  flatten: z.boolean().optional(),
  /** `tcp://HOST` for live migration streams when the target's hostname does not resolve from the source. */
  migrateUri: z.string().regex(/^tcp:\/\/[^\s/]+$/, 'must look like tcp://HOST[:PORT]').optional(),
})
export type LibvirtOptions = z.infer<typeof LibvirtOptions>

export function parseLibvirtOptions(input: Record<string, unknown>): LibvirtOptions {
  const result = LibvirtOptions.safeParse(input)
  if (result.success) return result.data
  const issue = result.error.issues[0]!
  throw new UsageError(`invalid libvirt option ${issue.path.join('.') || ''}: ${issue.message}`, 'See `ocvm migrate --help` for --connect, --target-connect, --target-pool and --network-map.')
}

/** A URI served on the host virsh runs on (`qemu:///system`, `qemu+unix:///system?socket=...`), not a remote one. */
export function isLocalUri(uri: string): boolean {
  return /^[a-z0-9+]+:\/\/\//i.test(uri)
}

/**
 * The target's own URI for cold moves, which run virsh on the target host itself: `--target-connect`
 * when it is local there; a remote one (`qemu+ssh://...`) is how the SOURCE reaches it, for --live.
 */
export function targetLocalUri(targetConnect: string | undefined, fallback: string = DEFAULT_URI): string {
  return targetConnect && isLocalUri(targetConnect) ? targetConnect : fallback
}
