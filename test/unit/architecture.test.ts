import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {REPO_ROOT} from '../helpers/process.js'

// docs/architecture.md draws the layers that .dependency-cruiser.cjs enforces; these keep the
// drawing, the rules and the source tree telling the same story.
const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8')

/** The layers of the rule file, top to bottom: each one's folders. */
function ruleLayers(): string[][] {
  const text = read('.dependency-cruiser.cjs')
  const block = /const LAYERS = \[([\s\S]*?)\n\]/.exec(text)?.[1] ?? ''
  return [...block.matchAll(/from: \[([^\]]*)\]/g)].map((m) => [...(m[1] ?? '').matchAll(/'([^']+)'/g)].map((f) => f[1] ?? ''))
}

/** The folders drawn in the doc's diagram, top to bottom, one list per layer line. */
function drawnLayers(): string[][] {
  const doc = read('docs/architecture.md')
  const diagram = /<!-- layers:[^>]*-->\n```\n([\s\S]*?)```/.exec(doc)?.[1] ?? ''
  return diagram.split('\n')
    .map((line) => [...line.matchAll(/\b([a-z]+)\/(?=\s|$)/g)].map((m) => m[1] ?? ''))
    .filter((folders) => folders.length > 0)
}

describe('docs/architecture.md', () => {
  it('draws the layers the rule checker enforces, in the same order', () => {
    const rules = ruleLayers()
    expect(rules.length).toBeGreaterThanOrEqual(6)
    expect(drawnLayers()).toEqual(rules)
  })

  it('places every top-level folder of src/ in a layer, except the contract kit beside the stack', () => {
    const placed = new Set(ruleLayers().flat())
    const folders = readdirSync(path.join(REPO_ROOT, 'src'), {withFileTypes: true}).filter((e) => e.isDirectory()).map((e) => e.name)
    expect(folders.filter((f) => !placed.has(f))).toEqual(['testing'])
  })
})
