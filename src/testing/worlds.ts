import type {DriverContractWorld} from './setup.js'

/** Runs `fn` in a fresh world and cleans it up afterwards, even when `fn` fails. */
export async function inWorld(make: () => Promise<DriverContractWorld>, fn: (w: DriverContractWorld) => Promise<void>): Promise<void> {
  const world = await make()
  try {
    await fn(world)
  } finally {
    await world.cleanup?.()
  }
}

/** A name no world has: for "unknown VM" and fresh import targets. */
export function freshName(tag: string): string {
  return `ocvm-contract-${tag}-${process.pid}`
}
