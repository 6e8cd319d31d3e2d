import type {Context} from '../context.js'
import {probeHost} from '../deployment/host-facts.js'
import {inspectDeployment, pickGatewayService} from '../deployment/inspect.js'
import {isInside, posix} from '../hosts/remote-fs.js'
import type {Inventory} from '../deployment/types.js'
import type {HostSpec} from '../hosts/host-spec.js'
import type {PathMapping} from '../rewrite/path-map.js'
import type {Hook} from './api.js'
import {readSourceTailnet} from './hooks/tailscale.js'
import {runHooks, type HookRunResult} from './engine.js'
import type {TargetInputs} from './inputs.js'
import {detectOs} from './os.js'
import {BUILTIN_HOOKS, DEFAULT_HOOK_IDS, selectHooks} from './catalog.js'
import type {SecretValues} from './secrets-input.js'
import {configuredChannels, gatewayPort, readTargetConfig} from './target-config.js'

/** One `ocvm hooks run` (or the hooks step of `ocvm migrate`): where, which hooks, with what. */
export interface HooksRequest {
  /** The target host (or a guest the driver registered). */
  on: HostSpec
  user?: string
  home?: string
  stateDir?: string
  profile?: string
  /** Hook ids in run order; default: every built-in. */
  ids?: string[]
  dryRun: boolean
  /** Old → new dirs for ocvm/path-rewrite. */
  mappings?: PathMapping[]
  /** The source, read (never changed) for its schedules and secret names. */
  from?: {host: HostSpec; user?: string; stateDir?: string; profile?: string}
  secrets?: SecretValues
  driver?: string
  where?: 'host' | 'guest'
  /** Extra hooks (plugins) that `ids` may name besides the built-ins. */
  extraHooks?: readonly Hook[]
}

/** Secret names the target must get: the source's, except what lives in its state dir's .env (moved with it). */
function sourceSecretNames(inv: Inventory): string[] {
  const dotenv = posix.join(inv.stateDir, '.env')
  return inv.secrets.filter((s) => s.sources.some((src) => src !== dotenv)).map((s) => s.name)
}

/** Builds the hooks' inputs from what the target (and the source, when given) look like now. */
export async function resolveInputs(requested: HooksRequest, ctx: Context): Promise<TargetInputs> {
  let request = requested
  const host = request.on
  const shell = ctx.shells.get(host)
  const inv = await inspectDeployment({host, ...(request.user ? {user: request.user} : {}), ...(request.home ? {home: request.home} : {}), ...(request.stateDir ? {stateDir: request.stateDir} : {}), ...(request.profile ? {profile: request.profile} : {})}, ctx)
  const facts = await probeHost(shell, inv.user)
  const config = (await readTargetConfig(shell, inv.configPath).catch(() => undefined))?.merged ?? {}
  let source: TargetInputs['source']
  if (request.from) {
    const fromHost = request.from.host
    ctx.reporter.step(`Reading the source ${ctx.shells.get(fromHost).label} (schedules, secret names; nothing changes there)`)
    const src = await inspectDeployment({host: fromHost, ...(request.from.user ? {user: request.from.user} : {}), ...(request.from.stateDir ? {stateDir: request.from.stateDir} : {}), ...(request.from.profile ? {profile: request.from.profile} : {})}, ctx)
    const tailscale = await readSourceTailnet(ctx.shells.get(fromHost))
    const serviceEnv = pickGatewayService(src.services, src.user, src.profile)?.env ?? {}
    source = {host: src.host, names: fromHost.kind === 'ssh' ? [fromHost.host] : [], secretNames: sourceSecretNames(src), schedules: src.schedules, ...tailscale, serviceEnv}
    // Without an explicit map, the source's state dir and home map to the target's (as migrate plans them).
    if (!request.mappings?.length) {
      request = {...request, mappings: [{from: src.stateDir, to: inv.stateDir}, {from: src.home, to: inv.home}].filter((m) => m.from !== m.to)}
    }
  } else {
    // Without a source, the names the target's own config references are what must be provided.
    source = {host: '', names: [], secretNames: sourceSecretNames(inv), schedules: [], funnel: false, tailnet: false, serviceEnv: {}}
  }
  return {
    user: inv.user,
    group: facts.group || inv.user,
    home: inv.home,
    stateDir: inv.stateDir,
    configPath: inv.configPath,
    port: gatewayPort(config),
    ...(inv.profile ? {instance: inv.profile} : {}),
    otherRoots: [...new Set(inv.agents.filter((a) => a.workspaceExists && !isInside(a.workspace, inv.stateDir)).map((a) => a.workspace))],
    mappings: request.mappings ?? [],
    channels: configuredChannels(config),
    source,
  }
}

/** Detects the target's OS, resolves the inputs and runs the hooks. */
export async function runHooksOn(request: HooksRequest, ctx: Context): Promise<HookRunResult> {
  const shell = ctx.shells.get(request.on)
  const extra = request.extraHooks ?? []
  // By default every built-in runs, then every plugin hook.
  const hooks = selectHooks(request.ids ?? [...DEFAULT_HOOK_IDS, ...extra.map((h) => h.id)], [...BUILTIN_HOOKS, ...extra])
  const os = await detectOs(shell)
  ctx.reporter.step(`Target ${shell.label}: ${os.name}`)
  const inputs = await resolveInputs(request, ctx)
  const options: Record<string, unknown> = {...inputs, ...(request.secrets ? {secrets: request.secrets} : {})}
  return runHooks(hooks, {shell, os: os.os, osName: os.name, driver: request.driver ?? 'file', where: request.where ?? 'host', dryRun: request.dryRun, options}, ctx)
}
