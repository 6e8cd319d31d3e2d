// Seeded randomness for the fault suite: every trial's fault point comes from one seed, printed
// at the start, so a failing run is replayed with OCVM_RELIABILITY_SEED=<seed>.

export interface Seeded {
  seed: number
  /** Uniform in [0, 1). */
  next(): number
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number
  pick<T>(items: readonly T[]): T
}

/** mulberry32: tiny, good enough to spread fault points, and the same on every platform. */
export function seeded(label: string): Seeded {
  const fromEnv = process.env.OCVM_RELIABILITY_SEED
  const seed = fromEnv && /^\d+$/.test(fromEnv) ? Number(fromEnv) >>> 0 : (Math.random() * 2 ** 32) >>> 0
  console.log(`[reliability] ${label}: seed ${seed} (replay with OCVM_RELIABILITY_SEED=${seed})`)
  let a = seed
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as never,
  }
}

/** How many trials: OCVM_RELIABILITY_TRIALS for a longer local run, a small default for CI. */
export function trialCount(defaultCount: number): number {
  const n = Number(process.env.OCVM_RELIABILITY_TRIALS)
  return Number.isInteger(n) && n > 0 ? n : defaultCount
}
