/**
 * Awaits independent round trips that run at the same time, then throws the first failure in the
 * order given (not the first to fail): the error a user sees does not depend on which host answered
 * first, and is the one the same reads done one after another would have hit.
 */
export async function settledInOrder<T extends readonly unknown[]>(promises: {[K in keyof T]: Promise<T[K]>}): Promise<T> {
  const settled = await Promise.allSettled(promises)
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((s) => (s as PromiseFulfilledResult<unknown>).value) as unknown as T
}
