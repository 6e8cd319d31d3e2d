/** The steps of a state move (the file driver), in run order. */
export type StepName = 'preflight' | 'precopy' | 'quiesce' | 'transfer' | 'verify' | 'rewrite' | 'commit' | 'permissions' | 'hooks' | 'report'

export const STEP_DESCRIPTIONS: Record<StepName, string> = {
  preflight: 'check both hosts: tools, target user, free disk, OpenClaw versions, nothing in the way',
  precopy: 'with --precopy: copy the state into staging while the gateway still runs (the final copy sends only what changed)',
  quiesce: 'stop the source gateway (no live SQLite is ever copied)',
  transfer: 'stream the state as tar|zstd into a 0700 staging dir on the target, with per-file SHA-256',
  verify: 're-checksum everything in staging against the source manifest',
  rewrite: 'rewrite old home/state paths in config, $include files, sessions.json and state JSON',
  commit: 'move the verified staging dirs into place (atomic rename; --force keeps an old target aside)',
  permissions: 'chown to the target user; 700 dirs, 600 config, credentials, auth profiles, identity',
  hooks: 'post-migrate hooks on the target: secrets, service, schedules, memory index, networking (each idempotent)',
  report: 'inspect the result on the target and list what needs a human',
}
export const STEPS = Object.keys(STEP_DESCRIPTIONS) as StepName[]
/** Steps after this one change the target for real: before it, a failure leaves only staging behind. */
export const COMMIT_STEP: StepName = 'commit'

