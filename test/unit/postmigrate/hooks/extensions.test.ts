// ocvm/extensions on this machine with the real npm: plugins whose node_modules did not move (a
// local `file:` dependency, so npm needs no registry) and a plugin dir not named after its id.
import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

import {extensions} from '../../../../src/postmigrate/hooks/extensions.js'
import {pathRewrite} from '../../../../src/postmigrate/hooks/path-rewrite.js'
import {withTarget, type Target} from './harness.js'

/** Three plugins as a migration leaves them: one misnamed and without node_modules, two fine. */
function plugins(t: Target, dependency = 'file:./vendor/guard-helper'): string {
  const ext = path.join(t.stateDir, 'extensions')
  const guard = path.join(ext, 'openclaw-web-guard')
  t.write(path.join(guard, 'openclaw.plugin.json'), JSON.stringify({id: 'web-guard', configSchema: {type: 'object'}}))
  t.write(path.join(guard, 'package.json'), JSON.stringify({name: 'web-guard', version: '1.0.0', private: true, dependencies: {'guard-helper': dependency}}))
  t.write(path.join(guard, 'vendor/guard-helper/package.json'), JSON.stringify({name: 'guard-helper', version: '1.0.0'}))
  // No dependencies: npm would create no node_modules, so none is needed.
  t.write(path.join(ext, 'image-gen/openclaw.plugin.json'), JSON.stringify({id: 'image-gen'}))
  t.write(path.join(ext, 'image-gen/package.json'), JSON.stringify({name: 'image-gen', version: '1.0.0'}))
  t.write(path.join(ext, 'voice/openclaw.plugin.json'), JSON.stringify({id: 'voice'}))
  t.write(path.join(ext, 'voice/package.json'), JSON.stringify({name: 'voice', version: '1.0.0', dependencies: {'voice-core': '^1.0.0'}}))
  t.write(path.join(ext, 'voice/node_modules/voice-core/package.json'), JSON.stringify({name: 'voice-core', version: '1.0.0'}))
  return ext
}

const MISNAMED = 'extensions/openclaw-web-guard is named differently from its manifest id "web-guard"'

// Real npm installs take seconds on a busy machine.
describe('ocvm/extensions', {timeout: 120_000}, () => {
  it('dry run: names the misnamed plugin and the missing node_modules; renames and installs nothing', () => withTarget(async (t) => {
    plugins(t)
    const before = t.snapshot()
    const report = await t.run(extensions, {dryRun: true})
    expect(report).toMatchObject({status: 'planned', details: [MISNAMED, 'extensions/openclaw-web-guard has no node_modules (npm install)']})
    expect(t.snapshot()).toEqual(before)
  }))

  it('renames the plugin dir to its id, runs npm install there, says what the user must know; a second run changes nothing', () => withTarget(async (t) => {
    const ext = plugins(t)
    const report = await t.run(extensions)
    expect(report.status, JSON.stringify(report.error)).toBe('changed')
    expect(report.changed).toEqual([
      'extensions/openclaw-web-guard renamed to extensions/web-guard (its manifest id)',
      `npm install in ${ext}/web-guard`,
    ])
    expect(report.actions).toEqual([
      'web-guard: the first gateway start downloads a ~370 MB model; the first start will be slow',
      'Restart the gateway: plugins are loaded at startup only.',
    ])
    expect(existsSync(path.join(ext, 'openclaw-web-guard'))).toBe(false)
    expect(existsSync(path.join(ext, 'web-guard/node_modules/guard-helper/package.json'))).toBe(true)
    // Plugins that needed nothing were not touched.
    expect(existsSync(path.join(ext, 'image-gen/node_modules'))).toBe(false)

    const after = t.snapshot()
    const again = await t.run(extensions)
    expect(again).toMatchObject({status: 'unchanged', changed: [], details: ['3 plugin(s) in place']})
    expect(t.snapshot()).toEqual(after)
  }))

  it('a deployment without plugins has nothing to do', () => withTarget(async (t) => {
    expect(await t.run(extensions)).toMatchObject({status: 'unchanged', details: ['0 plugin(s) in place']})
  }))

  it('when the id\'s name is taken it leaves the dir, tells the user to rename it, and fails (onError continue: the run goes on)', () => withTarget(async (t) => {
    const ext = plugins(t)
    // An older copy of the same plugin, already under its id.
    t.write(path.join(ext, 'web-guard/openclaw.plugin.json'), JSON.stringify({id: 'web-guard'}))
    const result = await t.runAll([extensions, pathRewrite])
    expect(result.status).toBe('partial')
    expect(result.hooks.map((h) => h.status)).toEqual(['failed', 'unchanged'])
    const report = result.hooks[0]
    // (Each guard plugin dir adds the model line: here it comes twice.)
    expect([...new Set(report?.actions)]).toEqual([
      'extensions/openclaw-web-guard: rename it to extensions/web-guard by hand (that name is taken)',
      'web-guard: the first gateway start downloads a ~370 MB model; the first start will be slow',
      'Restart the gateway: plugins are loaded at startup only.',
    ])
    expect(report?.error).toEqual({code: 'hook-verify-failed', message: `ocvm/extensions applied, but its result does not hold: ${MISNAMED}`, hint: 'Fix what the details name, then run the hook again.'})
    // Nothing was overwritten; the dependencies were still installed where the plugin is.
    expect(t.read(path.join(ext, 'web-guard/openclaw.plugin.json'))).toBe('{"id":"web-guard"}')
    expect(existsSync(path.join(ext, 'openclaw-web-guard/node_modules/guard-helper'))).toBe(true)
  }))

  it('an npm install that fails fails the hook with npm\'s output', () => withTarget(async (t) => {
    plugins(t, 'file:./vendor/guard-helper-1.0.0.tgz')
    const report = await t.run(extensions)
    expect(report.status).toBe('failed')
    expect(report.error?.code).toBe('external-command')
    expect(report.error?.message).toMatch(/^sh exited with code \d+ on local: npm error /)
    expect(report.error?.output).toContain('ENOENT: no such file or directory')
    expect(report.error?.output).toContain('vendor/guard-helper-1.0.0.tgz')
  }))
})
