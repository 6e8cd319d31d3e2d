import type {PathMap} from './path-map.js'

// Which string values in an OpenClaw config (openclaw.json and its $include files) are paths,
// and how to map them. Used as the callback of rewriteJson5Strings.
//
// Most path-bearing keys hold exactly one path (openclaw.md §2 lists them), so a value that
// starts with `/` is mapped as a whole; that needs no list of keys, and a value under neither
// old dir is left alone whatever key it sits under (cliBackends.claude.command =
// /opt/homebrew/bin/claude stays). A few keys hold a path *inside* other text: docker binds,
// command lines, argv entries, env values (PATH lists). Free text elsewhere (prompts, notes) is
// not touched even if it mentions the old home: changing prose is not our call.

/** Keys whose values are command lines, argv entries or env values: paths anywhere in them are mapped. */
export const EMBEDDED_PATH_KEYS: readonly RegExp[] = [
  /(^|\.)command$/, // cliBackends.<id>.command, memory.qmd.command
  /(^|\.)args\[\d+\]$/, // cliBackends.<id>.args[n]: "--config=/Users/alice/x"
  /(^|\.)env\./, // env.<VAR>, env.vars.<VAR>, cliBackends.<id>.env.<VAR>
]

/** agents.defaults.sandbox.docker.binds[n], and the same under a single agent. */
export const BIND_KEY = /(^|\.)binds\[\d+\]$/

// Left alone even under embedded keys: the path after the host in these is on another machine.
const REMOTE_URL = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * The rewrite callback for OpenClaw config files: maps path-like string values (absolute paths,
 * `file://` URLs, and paths embedded in docker binds and command strings) with the PathMap.
 * `~/…`, relative paths (so `$include` values normally), `${VAR}` refs, URLs (http, https, ws…)
 * and other strings stay as they are.
 */
export function configPathRewriter(map: PathMap): (value: string, key: string) => string | undefined {
  return (value, key) => {
    if (BIND_KEY.test(key)) return mapBind(map, value)
    if (/^file:\/\//i.test(value)) return changed(value, map.mapEmbedded(value))
    if (REMOTE_URL.test(value)) return undefined
    if (EMBEDDED_PATH_KEYS.some((pattern) => pattern.test(key))) return changed(value, map.mapEmbedded(value))
    return value.startsWith('/') ? map.mapPath(value) : undefined
  }
}

/**
 * A docker bind is `host:container[:options]`. The host side moves with the migration; the
 * container side is a path inside the sandbox image and does not, unless it mirrored the host
 * path (the common "same path inside and out" bind), in which case it must keep mirroring it
 * because the agent is told host paths (its workspace) and expects them to resolve.
 */
export function mapBind(map: PathMap, bind: string): string | undefined {
  const parts = bind.split(':')
  const [host, container, ...rest] = parts
  if (host === undefined || container === undefined) return map.mapPath(bind)
  const newHost = map.mapPath(host)
  if (newHost === undefined) return undefined
  const newContainer = container === host ? newHost : container
  return [newHost, newContainer, ...rest].join(':')
}

function changed(before: string, after: string): string | undefined {
  return after === before ? undefined : after
}
