import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {RULES} from '../../../src/testing/rules.js'
import {REPO_ROOT} from '../../helpers/process.js'

// The contract kit's check names quote the rules of src/drivers/api.ts: they must stay word for word
// what its TSDoc says, so a reworded rule shows up here (update the quote, and the check if it changed).
describe('the contract kit quotes the driver API', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'src/drivers/api.ts'), 'utf8')
  // The TSDoc as prose: comment markers gone, lines joined.
  const prose = text
    .split('\n')
    .map((line) => line.replace(/^\s*(\/\*\*|\*\/|\*)?\s?/, '').replace(/\s*\*\/\s*$/, ''))
    .join(' ')
    .replace(/\s+/g, ' ')

  for (const [key, rule] of Object.entries(RULES)) {
    it(`${key}: ${rule.quote}`, () => {
      expect(prose).toContain(rule.quote)
      // `on` names the member the quote is documented on.
      if ('on' in rule) expect(text).toMatch(new RegExp(`\\b${rule.on.replace(/[`:]/g, '')}\\??[(:]`))
    })
  }
})
