/**
 * Where the runner keeps a run's record: the journal on disk (`Journal`, for runs that resume),
 * or memory (`memoryLog`, for runs that start over instead: an export writes one file here
 * atomically, and a VM import leaves nothing on the target when it fails).
 */
export interface RunLog<S extends object> {
  /** The run's id, for `--resume` and `--rollback`; none for a run kept in memory. */
  readonly runId?: string
  readonly data: S
  update(patch: Partial<S>): void
}

export function memoryLog<S extends object>(initial: S): RunLog<S> {
  let state = initial
  return {
    get data() {
      return state
    },
    update(patch) {
      state = {...state, ...patch}
    },
  }
}
