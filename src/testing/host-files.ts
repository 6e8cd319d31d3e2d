import type {Context} from '../context.js'
import type {ExportedFile, ExportSet} from '../drivers/api.js'
import type {HostSpec} from '../hosts/host-spec.js'

// Looking at an exported VM's files on a host, through the harness's ctx.shells (GNU coreutils there).

export async function sha256(ctx: Context, host: HostSpec, file: string): Promise<string> {
  const r = await ctx.shells.get(host).script('sha256sum < "$1" | cut -d" " -f1', [file])
  return r.stdout.trim()
}

/** Bytes the file takes on the host's disk (less than its size when it has holes). */
export async function allocated(ctx: Context, host: HostSpec, file: string): Promise<number> {
  const r = await ctx.shells.get(host).script('du -B1 -- "$1" | cut -f1', [file])
  return Number(r.stdout.trim())
}

/** relPath → sha256 of the set's files (those `only` keeps) as they are on `host`. */
export async function checksums(ctx: Context, host: HostSpec, set: ExportSet, only: (f: ExportedFile) => boolean = () => true): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const f of set.files.filter(only)) out[f.relPath] = await sha256(ctx, host, f.source)
  return out
}

/** Disks must arrive byte-exact; definition files may be rewritten on import (a new UUID, the new name). */
export const disksOnly = (f: ExportedFile): boolean => f.sparse
