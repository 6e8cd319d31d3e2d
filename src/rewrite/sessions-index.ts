import {rewriteJson5Strings, type StringChange} from './json5-rewrite.js'
import type {PathMap} from './path-map.js'

// agents/<id>/sessions/sessions.json in the 2026.2.x layout: a map of session key →
// {sessionId, updatedAt, sessionFile?, …}. 2026.2.x wrote `sessionFile` back as the resolved
// absolute path of the transcript, so after a move it points at the old host's state dir and
// the gateway would start a fresh transcript instead of continuing the old one (openclaw.md §1c).
//
// Only `<sessionKey>.sessionFile` is touched; the path is matched as segments, not as a dotted
// string, because session keys contain dots (WhatsApp group ids end in `@g.us`).

/** Rewrites absolute `sessionFile` values with the PathMap, keeping the file's formatting. */
export function rewriteSessionsIndex(text: string, map: PathMap): {text: string; changes: StringChange[]} {
  return rewriteJson5Strings(text, (value, _key, path) =>
    path.length === 2 && typeof path[0] === 'string' && path[1] === 'sessionFile' && value.startsWith('/') ? map.mapPath(value) : undefined,
  )
}
