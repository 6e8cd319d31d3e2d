import {OcvmError} from '../errors.js'
import type {Shell} from '../hosts/shell.js'
import {formatBytes} from '../output/format.js'

/** True when a tool's stderr says the filesystem filled up (tar, zstd, cp, mv: ENOSPC). */
export function isNoSpace(stderr: string): boolean {
  return /No space left on device|ENOSPC/i.test(stderr)
}

// df of the nearest existing dir: what is free now (the failed write's partial files still count).
const DF = 'd="$1"; while [ ! -d "$d" ]; do d=$(dirname -- "$d"); done; df -Pk -- "$d" | tail -n 1'

/** Pure: free bytes and mount point from the last line of `df -Pk`. */
export function parseDfLine(line: string): {free: number; mount: string} | undefined {
  const f = line.trim().split(/\s+/)
  const free = Number(f[3])
  return Number.isFinite(free) && f.length >= 6 ? {free: free * 1024, mount: f.slice(5).join(' ')} : undefined
}

/** Free bytes (and mount point) of the filesystem that holds `dir`, or of its nearest existing ancestor. */
export async function freeSpace(shell: Shell, dir: string): Promise<{free: number; mount: string} | undefined> {
  const df = await shell.script(DF, [dir], {allowFailure: true, timeoutMs: 30_000})
  return df.exitCode === 0 ? parseDfLine(df.stdout) : undefined
}

/**
 * The error for a target that ran out of space mid-way: says which host, how far it got and what
 * is free, so the user knows how much to make room for. Callers remove staging afterwards.
 */
export async function diskFullError(shell: Shell, dir: string, progress: {done?: number; total: number}, hint: string): Promise<OcvmError> {
  const space = await freeSpace(shell, dir).catch(() => undefined)
  const where = space ? `${formatBytes(space.free)} free on ${space.mount}` : 'free space unknown'
  return new OcvmError('target-disk-full', `target disk full on ${shell.label}: writing ${formatBytes(progress.total)} into ${dir} failed${progress.done === undefined ? '' : ` after ${formatBytes(progress.done)}`} (${where})`, {
    hint,
    details: {host: shell.label, dir, ...(space ? {freeBytes: space.free, mount: space.mount} : {})},
  })
}

// Keep a margin on the target: a full disk mid-transfer costs a whole re-run.
const DISK_MARGIN = 1.1

/** Refuses when the filesystem that will hold `dir` on that host has less than `needed` bytes (+10 %) free. */
export async function requireSpace(shell: Shell, dir: string, needed: number, hint = 'Free space on the target, or point --staging-dir at a bigger filesystem.'): Promise<void> {
  const space = await freeSpace(shell, dir)
  if (space && space.free < needed * DISK_MARGIN) {
    throw new OcvmError('target-disk-full', `not enough disk on ${shell.label} for ${dir}: ${needed} bytes of disk data need ${Math.ceil(needed * DISK_MARGIN)} with margin, ${space.free} free`, {hint})
  }
}
