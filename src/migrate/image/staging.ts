import {posix} from 'node:path'

/** Default staging dir on the target: beside nothing the user owns, removed after import. */
export function defaultStagingDir(runId: string): string {
  return stagingDirIn('/var/tmp', runId)
}

/** The run's staging dir under `parent` (a driver's choice, where import links rather than copies). */
export function stagingDirIn(parent: string, runId: string): string {
  return posix.join(parent, `ocvm-staging-${runId}`)
}
