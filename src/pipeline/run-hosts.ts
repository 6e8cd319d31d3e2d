import {parseHostSpec, type HostSpec} from '../hosts/host-spec.js'

/** The two ends of a run. Commands parse them once from flags; a journal keeps them as text. */
export interface RunHosts {
  source: HostSpec
  target: HostSpec
}

/** A journaled run's hosts, parsed once when the run is loaded (`--resume`, `--rollback`, a nested run). */
export function journaledHosts(options: {from: string; to: string}): RunHosts {
  return {source: parseHostSpec(options.from), target: journaledTarget(options)}
}

/** Only the target: an import's journal names an archive file as its source, not a host. */
export function journaledTarget(options: {to: string}): HostSpec {
  return parseHostSpec(options.to)
}
