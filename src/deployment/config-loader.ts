import JSON5 from 'json5'

import {ConfigError} from '../errors.js'
import {isInside, posix} from '../hosts/remote-fs.js'

// Loads openclaw.json the way OpenClaw does: JSON5, `$include` (a path or an array of paths,
// relative to the including file, confined to the top-level config dir, at most 10 levels deep).

export const MAX_INCLUDE_DEPTH = 10

export interface ConfigFileInfo {
  path: string
  /** Raw parsed value of this file alone (before include resolution). */
  data: unknown
  /** Whether the file has // or block comments (which OpenClaw drops when it rewrites a file). */
  hasComments: boolean
  includedFrom?: string
}

export interface LoadedConfig {
  mainPath: string
  configDir: string
  files: ConfigFileInfo[]
  /** The effective config after resolving includes. */
  merged: Record<string, unknown>
}

export type FileReader = (file: string) => Promise<string | undefined>

export interface LoadConfigOptions {
  /** Extra directories `$include` may reach (OPENCLAW_INCLUDE_ROOTS). */
  extraRoots?: string[]
}

export async function loadConfig(mainPath: string, read: FileReader, options: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const configDir = posix.dirname(mainPath)
  const roots = [configDir, ...(options.extraRoots ?? [])]
  const files: ConfigFileInfo[] = []
  const cache = new Map<string, unknown>()

  async function loadFile(file: string, stack: string[], includedFrom?: string): Promise<unknown> {
    if (stack.includes(file)) {
      throw new ConfigError(`$include loop: ${[...stack, file].map((f) => posix.relative(configDir, f) || f).join(' -> ')}`, {
        file: includedFrom ?? file,
        hint: 'Remove the include that points back to a file that includes it.',
      })
    }
    if (stack.length > MAX_INCLUDE_DEPTH) {
      throw new ConfigError(`$include nested deeper than ${MAX_INCLUDE_DEPTH} levels`, {file, hint: 'OpenClaw allows at most 10 levels of nested includes; flatten some of them.'})
    }
    let data = cache.get(file)
    if (data === undefined) {
      const text = await read(file)
      if (text === undefined) {
        throw new ConfigError(includedFrom ? `included file ${file} does not exist` : 'config file does not exist', {
          file: includedFrom ?? file,
          hint: includedFrom ? 'Fix the $include path (it is relative to the including file).' : undefined,
        })
      }
      data = parseJson5(text, file)
      cache.set(file, data)
      files.push({path: file, data, hasComments: hasJson5Comments(text), ...(includedFrom ? {includedFrom} : {})})
    }
    return resolveIncludes(data, file, [...stack, file])
  }

  async function resolveIncludes(node: unknown, file: string, stack: string[]): Promise<unknown> {
    if (Array.isArray(node)) return Promise.all(node.map((item) => resolveIncludes(item, file, stack)))
    if (!isPlainObject(node)) return node
    const {$include: include, ...siblings} = node
    const resolvedSiblings: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(siblings)) resolvedSiblings[key] = await resolveIncludes(value, file, stack)
    if (include === undefined) return resolvedSiblings

    const targets = typeof include === 'string' ? [include] : include
    if (!Array.isArray(targets) || targets.some((t) => typeof t !== 'string' || t === '')) {
      throw new ConfigError('$include must be a path or an array of paths', {file})
    }
    const loaded: unknown[] = []
    for (const target of targets as string[]) {
      const resolved = posix.resolve(posix.dirname(file), target)
      if (!roots.some((root) => isInside(resolved, root))) {
        throw new ConfigError(`$include "${target}" escapes the config directory ${configDir}`, {
          file,
          hint: 'Included files must live inside the directory of the main config file (or OPENCLAW_INCLUDE_ROOTS); move the file there.',
        })
      }
      loaded.push(await loadFile(resolved, stack, file))
    }
    const base = typeof include === 'string' ? loaded[0] : loaded.reduce((acc, value) => deepMerge(acc, value), {})
    return Object.keys(resolvedSiblings).length === 0 ? base : deepMerge(base, resolvedSiblings)
  }

  const merged = await loadFile(mainPath, [])
  if (!isPlainObject(merged)) {
    throw new ConfigError('the config must be a JSON5 object at the top level', {file: mainPath})
  }
  return {mainPath, configDir, files, merged}
}

export function parseJson5(text: string, file: string): unknown {
  try {
    return JSON5.parse(text)
  } catch (error) {
    const e = error as SyntaxError & {lineNumber?: number; columnNumber?: number}
    // JSON5 messages look like "JSON5: invalid character 'x' at 3:7"; keep the reason, we print the position.
    const reason = e.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '')
    throw new ConfigError(`JSON5 syntax error: ${reason}`, {file, line: e.lineNumber, column: e.columnNumber})
  }
}

/** True when the text has a // or /* comment outside strings. */
export function hasJson5Comments(text: string): boolean {
  let quote: string | undefined
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = undefined
    } else if (c === '"' || c === "'") quote = c
    else if (c === '/' && (text[i + 1] === '/' || text[i + 1] === '*')) return true
  }
  return false
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** OpenClaw's include merge: objects merge recursively, everything else is replaced. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over
  const out: Record<string, unknown> = {...base}
  for (const [key, value] of Object.entries(over)) out[key] = key in out ? deepMerge(out[key], value) : value
  return out
}

/** Dotted-path lookup: get(cfg, 'gateway.mode'). */
export function getPath(value: unknown, dotted: string): unknown {
  let cur = value
  for (const key of dotted.split('.')) {
    if (!isPlainObject(cur)) return undefined
    cur = cur[key]
  }
  return cur
}

export interface StringLeaf {
  /** Dotted key path, array indices as [n]. */
  key: string
  value: string
}

/** Every string value in a config tree, with its key path. */
export function stringLeaves(value: unknown, prefix = ''): StringLeaf[] {
  if (typeof value === 'string') return [{key: prefix, value}]
  if (Array.isArray(value)) return value.flatMap((item, i) => stringLeaves(item, `${prefix}[${i}]`))
  if (isPlainObject(value)) return Object.entries(value).flatMap(([k, v]) => stringLeaves(v, prefix ? `${prefix}.${k}` : k))
  return []
}

/** `${VAR}` references (not the `$${VAR}` escape), uppercase names only as OpenClaw matches them. */
export function envReferences(value: unknown): Set<string> {
  const names = new Set<string>()
  for (const leaf of stringLeaves(value)) {
    for (const m of leaf.value.matchAll(/(\$?)\$\{([A-Z_][A-Z0-9_]*)\}/g)) if (m[1] === '' && m[2]) names.add(m[2])
  }
  return names
}
