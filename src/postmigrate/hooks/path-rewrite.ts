import {posix} from '../../hosts/remote-fs.js'
import {classifyRewriteFile, findFilesMentioning, rewriteFiles, type RewriteFile} from '../../rewrite/staged.js'
import {PathMap} from '../../rewrite/path-map.js'
import {defineHook, type HookContext} from '../api.js'
import {targetInputs} from '../inputs.js'
import {readTargetConfig} from '../target-config.js'

// The file driver's rewrite engine, run in place on the target: for a VM whose user or home
// changed, or a deployment moved by hand. Same finder, same JSON5 rewriter, same file kinds.

async function plan(ctx: HookContext) {
  const inputs = targetInputs(ctx)
  const map = new PathMap(inputs.mappings)
  const needles = map.mappings.map((m) => m.from)
  if (needles.length === 0) return {map, files: [] as RewriteFile[]}
  const roots = [inputs.stateDir, ...inputs.otherRoots]
  const found = await findFilesMentioning(ctx.shell, roots, needles)
  const config = await readTargetConfig(ctx.shell, inputs.configPath).catch(() => undefined)
  const configFiles = new Set(config?.files.map((f) => f.path) ?? [inputs.configPath])
  const files = found.map((file) => ({readPath: file, finalPath: file, kind: classifyRewriteFile(file, inputs.stateDir, configFiles)}))
  return {map, files}
}

export const pathRewrite = defineHook({
  id: 'ocvm/path-rewrite',
  description: 'rewrite old home/state paths in openclaw.json, $include files, sessions.json and state JSON (comments kept)',
  appliesTo: {},
  onError: 'fail',
  timeoutMs: 10 * 60_000,
  async check(ctx) {
    const {map, files} = await plan(ctx)
    if (map.mappings.length === 0) return {satisfied: true, details: ['no path map: nothing to rewrite (give --map OLD=NEW)']}
    const preview = await rewriteFiles(ctx.shell, files, map, false)
    const details = [
      ...preview.changes.map((c) => `${c.file}  ${c.key}: ${c.from} -> ${c.to}`),
      ...preview.skipped.map((s) => `${s.file}: ${s.reason}`),
    ]
    return {satisfied: preview.changes.length === 0, details}
  },
  async apply(ctx) {
    const {map, files} = await plan(ctx)
    const outcome = await rewriteFiles(ctx.shell, files, map, true)
    const perFile = new Map<string, number>()
    for (const c of outcome.changes) perFile.set(c.file, (perFile.get(c.file) ?? 0) + 1)
    return {
      changed: [...perFile].map(([file, n]) => `${posix.basename(file)}: ${n} path(s) rewritten (${file})`),
      actions: outcome.skipped.map((s) => `Check ${s.file} by hand: ${s.reason}`),
    }
  },
  async verify(ctx) {
    const {map, files} = await plan(ctx)
    const left = await rewriteFiles(ctx.shell, files, map, false)
    return {satisfied: left.changes.length === 0, details: left.changes.map((c) => `${c.file} still has ${c.from} at ${c.key}`)}
  },
})
