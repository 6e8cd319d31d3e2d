import {z} from 'zod'

// The two archive formats `ocvm import` reads.
//
// ocvm's own (written by `ocvm export`): one tar stream, zstd-compressed when zstd is present,
//   ocvm-archive.json          this metadata (first member)
//   roots/<i>/<path>           root i (0 = the state dir, then workspaces outside it)
//
// `openclaw backup create` (2026.3.8+): a .tar.gz with one top dir,
//   <archiveRoot>/manifest.json                     schemaVersion 1, assets with absolute source paths
//   <archiveRoot>/payload/posix/<absolute path>/... each asset's tree

export const ARCHIVE_FORMAT_VERSION = 1
export const META_NAME = 'ocvm-archive.json'
export const rootPrefix = (index: number) => `roots/${index}`

const manifestEntry = z.object({
  path: z.string(),
  type: z.enum(['file', 'dir', 'symlink', 'other']),
  mode: z.number().int(),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  linkTarget: z.string().optional(),
})

export const ocvmArchiveMeta = z.object({
  format: z.literal('ocvm-archive'),
  version: z.number().int(),
  createdAt: z.string(),
  source: z.object({
    host: z.string(),
    user: z.string(),
    home: z.string(),
    stateDir: z.string(),
    configPath: z.string(),
    configFiles: z.array(z.string()),
    version: z.string().optional(),
    layout: z.string(),
  }),
  /** Whether the source gateway was stopped for the copy (no live SQLite). */
  quiesced: z.boolean(),
  sessions: z.enum(['include', 'exclude', 'scan']),
  roots: z.array(z.object({
    index: z.number().int().nonnegative(),
    kind: z.enum(['state', 'workspace']),
    label: z.string(),
    source: z.string(),
    bytes: z.number().int().nonnegative(),
    files: z.number().int().nonnegative(),
    manifest: z.array(manifestEntry),
  })),
  /** What `ocvm inspect` saw (names and sizes only, never secret values). */
  inventory: z.object({
    agents: z.array(z.string()),
    components: z.array(z.object({kind: z.string(), bytes: z.number(), treatment: z.string()})),
    findings: z.array(z.object({code: z.string(), message: z.string()})),
  }),
})
export type OcvmArchiveMeta = z.infer<typeof ocvmArchiveMeta>

/** The parts of `openclaw backup create`'s manifest.json that ocvm uses. */
export const openclawBackupManifest = z.object({
  schemaVersion: z.number().int(),
  createdAt: z.string().optional(),
  archiveRoot: z.string(),
  runtimeVersion: z.string().optional(),
  paths: z.object({stateDir: z.string(), configPath: z.string().optional()}).passthrough(),
  assets: z.array(z.object({kind: z.string(), sourcePath: z.string(), archivePath: z.string()})),
}).passthrough()
export type OpenclawBackupManifest = z.infer<typeof openclawBackupManifest>

export type Compression = 'zstd' | 'gzip' | 'none'

/** Pure: the compression of an archive from its first bytes (magic numbers). */
export function detectCompression(head: Uint8Array): Compression | undefined {
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd'
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip'
  if (head.length >= 262 && Buffer.from(head.subarray(257, 262)).toString('latin1') === 'ustar') return 'none'
  return undefined
}
