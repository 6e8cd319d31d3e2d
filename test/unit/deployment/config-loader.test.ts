import {describe, expect, it} from 'vitest'

import {deepMerge, envReferences, hasJson5Comments, loadConfig, stringLeaves} from '../../../src/deployment/config-loader.js'
import {ConfigError} from '../../../src/errors.js'

function reader(files: Record<string, string>) {
  return async (file: string) => files[file]
}

describe('loadConfig', () => {
  it('reads JSON5 with comments and trailing commas', async () => {
    const cfg = await loadConfig('/h/.openclaw/openclaw.json', reader({
      '/h/.openclaw/openclaw.json': '// main config\n{ gateway: { mode: "local", port: 18789, }, /* block */ }',
    }))
    expect(cfg.merged).toEqual({gateway: {mode: 'local', port: 18789}})
    expect(cfg.files[0]?.hasComments).toBe(true)
  })

  it('resolves a single $include (replaces the object) and merges siblings after it', async () => {
    const cfg = await loadConfig('/c/openclaw.json', reader({
      '/c/openclaw.json': '{ agents: { $include: "./agents.json5", defaults: { workspace: "~/ws" } } }',
      '/c/agents.json5': '{ list: [{ id: "main" }], defaults: { model: "x" } }',
    }))
    expect(cfg.merged).toEqual({agents: {list: [{id: 'main'}], defaults: {model: 'x', workspace: '~/ws'}}})
    expect(cfg.files.map((f) => f.path)).toEqual(['/c/openclaw.json', '/c/agents.json5'])
    expect(cfg.files[1]?.includedFrom).toBe('/c/openclaw.json')
  })

  it('deep-merges an array of includes in order, nested includes relative to the including file', async () => {
    const cfg = await loadConfig('/c/openclaw.json', reader({
      '/c/openclaw.json': '{ $include: ["./a.json5", "./sub/b.json5"] }',
      '/c/a.json5': '{ gateway: { mode: "local", port: 1 } }',
      '/c/sub/b.json5': '{ gateway: { port: 2 }, channels: { $include: "./ch.json5" } }',
      '/c/sub/ch.json5': '{ whatsapp: { allowFrom: ["+1"] } }',
    }))
    expect(cfg.merged).toEqual({gateway: {mode: 'local', port: 2}, channels: {whatsapp: {allowFrom: ['+1']}}})
  })

  it('reports a syntax error with file, line and column', async () => {
    const error = await loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '{\n  gateway: {\n    mode: "local" port: 1\n  }\n}'})).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).details).toMatchObject({file: '/c/openclaw.json', line: 3, column: 19})
    expect((error as ConfigError).message).toMatch(/^\/c\/openclaw\.json:3:19: JSON5 syntax error/)
  })

  it('refuses an $include that escapes the config dir', async () => {
    const promise = loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '{ $include: "../etc/passwd.json" }'}))
    await expect(promise).rejects.toThrow(/escapes the config directory \/c/)
  })

  it('allows extra include roots (OPENCLAW_INCLUDE_ROOTS)', async () => {
    const cfg = await loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '{ $include: "/shared/x.json5" }', '/shared/x.json5': '{ a: 1 }'}), {extraRoots: ['/shared']})
    expect(cfg.merged).toEqual({a: 1})
  })

  it('refuses include loops, naming the cycle', async () => {
    const promise = loadConfig('/c/openclaw.json', reader({
      '/c/openclaw.json': '{ x: { $include: "./a.json5" } }',
      '/c/a.json5': '{ y: { $include: "./b.json5" } }',
      '/c/b.json5': '{ z: { $include: "./a.json5" } }',
    }))
    await expect(promise).rejects.toThrow(/\$include loop: openclaw\.json -> a\.json5 -> b\.json5 -> a\.json5/)
  })

  it('allows the same file included twice (not a loop)', async () => {
    const cfg = await loadConfig('/c/openclaw.json', reader({
      '/c/openclaw.json': '{ a: { $include: "./s.json5" }, b: { $include: "./s.json5" } }',
      '/c/s.json5': '{ v: 1 }',
    }))
    expect(cfg.merged).toEqual({a: {v: 1}, b: {v: 1}})
  })

  it('refuses includes nested deeper than 10 levels', async () => {
    const files: Record<string, string> = {'/c/openclaw.json': '{ n: { $include: "./1.json5" } }'}
    for (let i = 1; i <= 12; i++) files[`/c/${i}.json5`] = `{ n: { $include: "./${i + 1}.json5" } }`
    files['/c/13.json5'] = '{}'
    await expect(loadConfig('/c/openclaw.json', reader(files))).rejects.toThrow(/deeper than 10/)
  })

  it('names a missing include and the file that includes it', async () => {
    const error = (await loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '{ $include: "./gone.json5" }'})).catch((e: unknown) => e)) as ConfigError
    expect(error.message).toContain('included file /c/gone.json5 does not exist')
    expect(error.details.file).toBe('/c/openclaw.json')
  })

  it('refuses a non-object top level and a non-string $include', async () => {
    await expect(loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '[1, 2]'}))).rejects.toThrow(/object at the top level/)
    await expect(loadConfig('/c/openclaw.json', reader({'/c/openclaw.json': '{ $include: 42 }'}))).rejects.toThrow(/path or an array/)
  })
})

describe('config helpers', () => {
  it('detects comments outside strings only', () => {
    expect(hasJson5Comments('{ url: "http://x//y" }')).toBe(false)
    expect(hasJson5Comments("{ a: 'it\\'s // not' }")).toBe(false)
    expect(hasJson5Comments('{ a: 1 } // yes')).toBe(true)
  })

  it('finds ${VAR} references but not the $${VAR} escape or lowercase names', () => {
    const names = envReferences({a: '${ANTHROPIC_API_KEY}', b: ['$${NOT_ME}', 'x-${BASE_URL}/v1'], c: {d: '${lower}'}})
    expect([...names].sort()).toEqual(['ANTHROPIC_API_KEY', 'BASE_URL'])
  })

  it('lists string leaves with key paths', () => {
    expect(stringLeaves({a: {b: ['x', {c: 'y'}]}, n: 1})).toEqual([{key: 'a.b[0]', value: 'x'}, {key: 'a.b[1].c', value: 'y'}])
  })

  it('deep-merges objects and replaces arrays', () => {
    expect(deepMerge({a: {x: 1, l: [1]}, b: 1}, {a: {y: 2, l: [2]}})).toEqual({a: {x: 1, y: 2, l: [2]}, b: 1})
  })
})
