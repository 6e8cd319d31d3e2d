// export then import on this machine (local to local, real tar, zstd, find, sha256sum): the same
// services that run over ssh, on the sample deployment with absolute paths in its config.
import {createHash} from 'node:crypto'
import {existsSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'

import {fileDriver} from '../../../../src/drivers/file/index.js'
import {LOCAL} from '../../../../src/hosts/host-spec.js'

import {exportArchive, type ExportOptions} from '../../../../src/archive/state/export.js'
import {importArchive, type ImportOptions} from '../../../../src/archive/state/import.js'
import {scanArchive} from '../../../../src/archive/state/scan.js'
import {journaledRun} from '../../../../src/migrate/migrate.js'
import {rollbackState} from '../../../../src/migrate/state/rollback-state.js'
import type {Context} from '../../../../src/context.js'
import {OcvmError} from '../../../../src/errors.js'
import {createRunner} from '../../../../src/exec/runner.js'
import {ShellPool} from '../../../../src/hosts/shell.js'
import {silentReporter} from '../../../../src/output/reporter.js'
import {caught} from '../../../helpers/caught.js'
import {sampleHomes, type SampleHomes} from '../../helpers/sample-homes.js'
import {treeDigest} from '../../../helpers/tree-digest.js'

let dir: string
let oldHome: string
let newHome: string
let ctx: Context
let homes: SampleHomes

beforeEach(() => {
  homes = sampleHomes('ocvm-exp-')
  ;({dir, oldHome, newHome} = homes)
  ctx = {runner: createRunner(), shells: new ShellPool({runner: createRunner(), ssh: {}}), reporter: silentReporter}
})
afterEach(() => homes.cleanUp())

const exportOptions = (over: Partial<ExportOptions> = {}): ExportOptions => ({
  driver: fileDriver, from: LOCAL, stateDir: path.join(oldHome, '.openclaw'), out: path.join(dir, 'deploy.ocvm.tar.zst'), sessions: 'include', quiesce: true, restart: false, dryRun: false, ...over,
})
const importOptions = (over: Partial<ImportOptions> = {}): ImportOptions => ({
  driver: fileDriver, archive: path.join(dir, 'deploy.ocvm.tar.zst'), to: LOCAL, targetHome: newHome, targetStateDir: path.join(newHome, '.openclaw'), sessions: 'include', dryRun: false, force: false, ...over,
})

describe('export + import (local)', () => {
  it('export writes one archive atomically, prints its SHA-256, and the archive carries a manifest of every file', async () => {
    const result = await exportArchive(exportOptions(), ctx)
    expect(result.status).toBe('ok')
    const bytes = readFileSync(result.file)
    expect(result.sha256).toBe(createHash('sha256').update(bytes).digest('hex'))
    expect(readFileSync(`${result.file}.sha256`, 'utf8')).toBe(`${result.sha256}  deploy.ocvm.tar.zst\n`)
    expect(statSync(result.file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir).filter((f) => f.includes('ocvm-partial'))).toEqual([])
    expect(result.roots.map((r) => r.label)).toEqual(['state dir', 'workspace (search)'])

    const scan = await scanArchive(result.file, {runner: ctx.runner})
    expect(scan.format).toBe('ocvm')
    expect(scan.compression).toBe('zstd')
    expect(scan.roots[0]?.manifest.entries.some((e) => e.path === 'memory' || e.path.startsWith('memory/'))).toBe(false)
    expect(scan.roots[0]?.manifest.entries.find((e) => e.path === 'credentials/whatsapp/default/creds.json')?.sha256)
      .toBe(createHash('sha256').update(readFileSync(path.join(oldHome, '.openclaw/credentials/whatsapp/default/creds.json'))).digest('hex'))

    const again = await caught(exportArchive(exportOptions(), ctx))
    expect((again as OcvmError).message).toMatch(/already exists/)
  })

  it('import --dry-run shows the plan and the rewrite diff and writes nothing', async () => {
    await exportArchive(exportOptions(), ctx)
    const plan = await importArchive(importOptions({dryRun: true}), ctx)
    expect(plan.status).toBe('planned')
    expect(plan.archive?.format).toBe('ocvm')
    expect(plan.diffs.find((d) => d.file.endsWith('agents.json5'))?.diff).toContain(`${newHome}/research-ws/search`)
    expect(readdirSync(newHome)).toEqual([])
    expect(existsSync(process.env.OCVM_RUNS_DIR ?? '')).toBe(false)
  })

  it('import unpacks, verifies, rewrites and activates: byte-identical credentials and workspace, modes set', async () => {
    await exportArchive(exportOptions(), ctx)
    const result = await importArchive(importOptions(), ctx)
    expect(result.status).toBe('ok')
    expect(result.steps.map((s) => [s.name, s.status])).toEqual([['preflight', 'done'], ['quiesce', 'skipped'], ['transfer', 'done'], ['verify', 'done'], ['rewrite', 'done'], ['commit', 'done'], ['permissions', 'done'], ['hooks', 'skipped'], ['report', 'done']])
    const state = path.join(newHome, '.openclaw')
    expect(treeDigest(path.join(state, 'credentials'))).toEqual(treeDigest(path.join(oldHome, '.openclaw/credentials')))
    expect(treeDigest(path.join(newHome, 'research-ws/search'))).toEqual(treeDigest(path.join(oldHome, 'research-ws/search')))
    const agents = readFileSync(path.join(state, 'agents.json5'), 'utf8')
    expect(agents).toContain('// The research agent keeps its workspace outside the state dir.')
    expect(agents).not.toContain(oldHome)
    expect(statSync(path.join(state, 'openclaw.json')).mode & 0o777).toBe(0o600)
    expect(readdirSync(path.dirname(state)).filter((f) => f.startsWith('.ocvm-staging'))).toEqual([])
  })

  it('an import can be undone like any run: its journal names the archive, not a host, and the copy is taken out of service', async () => {
    await exportArchive(exportOptions(), ctx)
    const result = await importArchive(importOptions(), ctx)
    const run = journaledRun(result.runId)
    expect(run).toEqual({driver: 'file', driverOptions: {}, hosts: {target: LOCAL}})
    const undone = await rollbackState(result.runId, ctx)
    expect(undone.status).toBe('rolled-back')
    const state = path.join(newHome, '.openclaw')
    expect(existsSync(state)).toBe(false)
    expect(readdirSync(newHome).filter((f) => f.startsWith('.openclaw.ocvm-rolledback-'))).toHaveLength(1)
  })

  it('a damaged archive and one whose content no longer matches its manifest are refused before anything is written', async () => {
    const result = await exportArchive(exportOptions(), ctx)
    const bytes = readFileSync(result.file)
    const damaged = Buffer.from(bytes)
    damaged[Math.floor(damaged.length / 2)] ^= 0xff
    writeFileSync(path.join(dir, 'damaged.tar.zst'), damaged)
    const error = await caught(importArchive(importOptions({archive: path.join(dir, 'damaged.tar.zst')}), ctx))
    expect((error as OcvmError).code).toBe('archive-corrupt')

    // A valid tar whose file content was changed after export (same size, so only the manifest can tell).
    const tar = Buffer.from((await ctx.runner.run('zstd', ['-dc', result.file], {binary: true})).stdoutBytes ?? new Uint8Array())
    const creds = readFileSync(path.join(oldHome, '.openclaw/credentials/whatsapp/default/creds.json'))
    const at = tar.indexOf(creds)
    expect(at).toBeGreaterThan(0)
    tar[at] ^= 0x01
    writeFileSync(path.join(dir, 'tampered.tar'), tar)
    const tampered = await caught(importArchive(importOptions({archive: path.join(dir, 'tampered.tar')}), ctx))
    expect((tampered as OcvmError).code).toBe('archive-corrupt')
    expect((tampered as OcvmError).message).toMatch(/does not match the archive's manifest.*differs credentials\/whatsapp\/default\/creds.json/)
    expect(readdirSync(newHome)).toEqual([])
  })

  it('import refuses an unknown target user clearly', async () => {
    await exportArchive(exportOptions(), ctx)
    const error = await caught(importArchive(importOptions({targetUser: 'no-such-user-ocvm'}), ctx))
    expect((error as OcvmError).message).toMatch(/user "no-such-user-ocvm" does not exist on local/)
    expect(readdirSync(newHome)).toEqual([])
  })
})
