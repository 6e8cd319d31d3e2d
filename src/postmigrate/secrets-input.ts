import {randomBytes} from 'node:crypto'
import {lstatSync, readFileSync} from 'node:fs'

import {OcvmError, UsageError} from '../errors.js'
import type {Redactor} from '../exec/redactor.js'

/** The placeholder the guide offers for optional keys: OpenClaw refuses to start on an empty variable. */
export const NOT_CONFIGURED = 'not-configured'
export const GATEWAY_TOKEN = 'OPENCLAW_GATEWAY_TOKEN'
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Secret values for this run. They never appear in argv, logs or JSON: `toJSON` gives names only,
 * and every value is registered with the run's redactor when it is loaded.
 */
export class SecretValues {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  names(): string[] {
    return [...this.values.keys()].sort()
  }

  get(name: string): string | undefined {
    return this.values.get(name)
  }

  has(name: string): boolean {
    return this.values.has(name)
  }

  toJSON(): {names: string[]} {
    return {names: this.names()}
  }

  /** A copy with more values (a generated token); the redactor learns them too. */
  with(name: string, value: string, redactor: Redactor): SecretValues {
    redactor.add(value)
    return new SecretValues(new Map([...this.values, [name, value]]))
  }
}

/** A new gateway token, as the guide makes one (`openssl rand -hex 32`). */
export function newGatewayToken(): string {
  return randomBytes(32).toString('hex')
}

/** Pure: dotenv text → entries. `export`, quotes and comments are understood; line numbers kept for errors. */
export function parseDotenv(text: string, origin: string): Array<{name: string; value: string}> {
  const out: Array<{name: string; value: string}> = []
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (!line || line.startsWith('#')) return
    const m = /^(?:export\s+)?([^=\s]+)\s*=\s*(.*)$/.exec(line)
    if (!m?.[1] || !NAME_RE.test(m[1])) throw new UsageError(`${origin}:${i + 1}: expected NAME=value`, 'One secret per line, e.g. ANTHROPIC_API_KEY=sk-ant-… (the value is never shown).')
    let value = m[2] ?? ''
    const dq = /^"((?:[^"\\]|\\.)*)"$/.exec(value)
    const sq = /^'([^']*)'$/.exec(value)
    if (dq) value = (dq[1] ?? '').replace(/\\(.)/g, '$1')
    else if (sq) value = sq[1] ?? ''
    else value = value.replace(/\s+#.*$/, '')
    out.push({name: m[1], value})
  })
  return out
}

export interface SecretsSource {
  /** A dotenv file that only its owner can read (mode 0600 or stricter); `-` reads stdin. */
  file?: string
  /** Text already read from stdin (when `file` is `-`). */
  stdinText?: string
  /** Names to take from this process's environment. */
  envNames?: string[]
  env?: NodeJS.ProcessEnv
}

/**
 * Loads secret values from a 0600 file, stdin or the environment (never argv). Empty values are
 * refused: OpenClaw fails to start on an empty variable; `not-configured` is the way to say "none".
 */
export function loadSecrets(source: SecretsSource, redactor: Redactor): SecretValues {
  const values = new Map<string, string>()
  const add = (name: string, value: string, origin: string) => {
    if (value.trim() === '') {
      throw new OcvmError('secret-empty', `${name} is empty in ${origin}`, {
        hint: `OpenClaw refuses to start with an empty variable. Give a value, or ${name}=${NOT_CONFIGURED} for a key you do not use yet.`,
        exitCode: 2,
        details: {name},
      })
    }
    if (/[\r\n\0]/.test(value)) throw new UsageError(`${name} in ${origin} holds a line break`, 'Environment files hold one line per variable: put the value on one line.')
    if (value !== NOT_CONFIGURED) redactor.add(value)
    values.set(name, value)
  }
  if (source.file !== undefined) {
    let text: string
    let origin: string
    if (source.file === '-') {
      text = source.stdinText ?? ''
      origin = 'stdin'
    } else {
      let mode: number
      try {
        mode = lstatSync(source.file).mode
      } catch {
        throw new UsageError(`secrets file ${source.file} does not exist`, 'Give a dotenv file (NAME=value per line) created with mode 0600.')
      }
      if ((mode & 0o077) !== 0) {
        throw new OcvmError('secrets-file-mode', `secrets file ${source.file} is readable by others (mode ${(mode & 0o777).toString(8).padStart(3, '0')})`, {
          hint: `Run chmod 600 ${source.file} and try again: a secrets file must be readable by its owner only.`,
          exitCode: 2,
        })
      }
      text = readFileSync(source.file, 'utf8')
      origin = source.file
    }
    for (const {name, value} of parseDotenv(text, origin)) add(name, value, origin)
  }
  for (const name of source.envNames ?? []) {
    if (!NAME_RE.test(name)) throw new UsageError(`invalid variable name "${name}"`, 'Names are letters, digits and _, e.g. --secret-env ANTHROPIC_API_KEY.')
    const value = (source.env ?? process.env)[name]
    if (value === undefined) throw new UsageError(`${name} is not set in the environment`, `Export it first (export ${name}=…) or put it in the --secrets-file.`)
    add(name, value, 'the environment')
  }
  return new SecretValues(values)
}

/** Pure: a value quoted for both systemd's EnvironmentFile and sh (`"…"` with \ " $ ` escaped). */
export function quoteEnvValue(value: string): string {
  return `"${value.replace(/[\\"$`]/g, (c) => `\\${c}`)}"`
}
