import {isPlainObject} from '../../deployment/config-loader.js'
import {readTextFile} from '../../hosts/remote-fs.js'
import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {runAsUser} from '../as-user.js'
import {targetInputs} from '../inputs.js'

// Plugins load from extensions/<manifest id>/ and need their node_modules, which are not moved
// (native parts are per-architecture). Guard plugins fetch a large model on first start.

interface Plugin {
  dir: string
  name: string
  id: string | undefined
  needsInstall: boolean
}

const LIST = String.raw`
e="$1"
[ -d "$e" ] || exit 0
for d in "$e"/*/; do
  [ -d "$d" ] || continue
  d=$(printf '%s' "$d" | sed 's:/*$::')
  nm=0; [ -d "$d/node_modules" ] && nm=1
  printf '%s\t%s\n' "$d" "$nm"
done
`

async function plugins(ctx: HookContext): Promise<Plugin[]> {
  const t = targetInputs(ctx)
  const out = (await ctx.shell.script(LIST, [`${t.stateDir}/extensions`], {timeoutMs: 30_000})).stdout
  const list: Plugin[] = []
  for (const line of out.split('\n').filter(Boolean)) {
    const [dir = '', nodeModules] = line.split('\t')
    let id: string | undefined
    let deps = 0
    try {
      const parsed: unknown = JSON.parse((await readTextFile(ctx.shell, `${dir}/openclaw.plugin.json`)) ?? 'null')
      id = isPlainObject(parsed) && typeof parsed.id === 'string' ? parsed.id : undefined
    } catch {
      id = undefined
    }
    try {
      const pkg: unknown = JSON.parse((await readTextFile(ctx.shell, `${dir}/package.json`)) ?? 'null')
      if (isPlainObject(pkg) && isPlainObject(pkg.dependencies)) deps = Object.keys(pkg.dependencies).length
    } catch {
      deps = 0
    }
    // Only a plugin with dependencies needs node_modules (npm creates none for a package without).
    list.push({dir, name: dir.split('/').pop() ?? dir, id, needsInstall: deps > 0 && nodeModules !== '1'})
  }
  return list
}

function problems(list: readonly Plugin[]): string[] {
  return list.flatMap((p) => [
    ...(p.id && p.id !== p.name ? [`extensions/${p.name} is named differently from its manifest id "${p.id}"`] : []),
    ...(p.needsInstall ? [`extensions/${p.name} has no node_modules (npm install)`] : []),
  ])
}

async function state(ctx: HookContext): Promise<HookCheck> {
  const list = await plugins(ctx)
  const found = problems(list)
  return {satisfied: found.length === 0, details: found.length > 0 ? found : [`${list.length} plugin(s) in place`]}
}

export const extensions = defineHook({
  id: 'ocvm/extensions',
  description: 'plugin dirs named after their manifest id; npm install where node_modules did not move',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 20 * 60_000,
  settles: ['extension-deps'],
  check: state,
  async apply(ctx) {
    const t = targetInputs(ctx)
    const changed: string[] = []
    const actions: string[] = []
    for (const p of await plugins(ctx)) {
      let dir = p.dir
      if (p.id && p.id !== p.name) {
        const to = `${p.dir.slice(0, -p.name.length)}${p.id}`
        const moved = await ctx.shell.script('[ -e "$2" ] && exit 3; mv -- "$1" "$2"', [p.dir, to], {allowFailure: true, timeoutMs: 30_000})
        if (moved.exitCode === 0) {
          changed.push(`extensions/${p.name} renamed to extensions/${p.id} (its manifest id)`)
          dir = to
        } else actions.push(`extensions/${p.name}: rename it to extensions/${p.id} by hand (that name is taken)`)
      }
      if (p.needsInstall) {
        await runAsUser(ctx.shell, t.user, t.home, ['npm', 'install', '--omit=dev', '--no-audit', '--no-fund'], {timeoutMs: 15 * 60_000, cwd: dir})
        changed.push(`npm install in ${dir}`)
      }
      if (/guard/i.test(p.id ?? p.name)) actions.push(`${p.id ?? p.name}: the first gateway start downloads a ~370 MB model; the first start will be slow`)
    }
    if (changed.length > 0) actions.push('Restart the gateway: plugins are loaded at startup only.')
    return {changed, actions}
  },
  verify: state,
})
