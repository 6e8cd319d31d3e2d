import {DeploymentNotFoundError, UsageError} from '../errors.js'
import type {HostFacts} from './host-facts.js'
import {posix} from '../hosts/remote-fs.js'

export const LEGACY_STATE_DIRS = ['.clawdbot', '.moldbot', '.moltbot'] as const
export const CONFIG_NAMES = ['openclaw.json', 'clawdbot.json', 'moldbot.json', 'moltbot.json'] as const
const PROFILE_RE = /^[A-Za-z0-9_-]+$/

export interface LocateOptions {
  stateDir?: string
  configPath?: string
  profile?: string
}

export interface Location {
  stateDir: string
  configPath: string
  profile: string | undefined
  /** Why this state dir: 'flag', 'profile', 'env', 'service', 'default', 'legacy'. */
  source: 'flag' | 'profile' | 'env' | 'service' | 'default' | 'legacy'
  /** HOME used to expand `~` (OPENCLAW_HOME wins over the user's home). */
  home: string
}

/**
 * Resolves the state dir and config path with OpenClaw's own precedence (src/config/paths.ts):
 * explicit flag > --profile > OPENCLAW_STATE_DIR (login env, then the service's env) > ~/.openclaw > legacy dirs.
 * `exists` tells which candidate paths exist on the host.
 */
export function locateDeployment(
  facts: HostFacts,
  options: LocateOptions,
  serviceEnv: Record<string, string>,
  exists: (p: string) => boolean,
): Location {
  // The login session's env only describes the deployment when we inspect the login user's own.
  const env: Record<string, string> = {...serviceEnv, ...(facts.user === facts.loginUser ? facts.env : {})}
  const home = expandHome(env.OPENCLAW_HOME ?? facts.home, facts.home)
  const profile = options.profile ?? env.OPENCLAW_PROFILE
  if (profile !== undefined && !PROFILE_RE.test(profile)) {
    throw new UsageError(`invalid profile name "${profile}"`, 'Profile names are letters, digits, _ and - (as in `openclaw --profile NAME`).')
  }

  const tried: string[] = []
  let stateDir: string | undefined
  let source: Location['source'] = 'default'
  const pick = (dir: string, why: Location['source']): boolean => {
    tried.push(dir)
    if (!exists(dir)) return false
    stateDir = dir
    source = why
    return true
  }

  if (options.stateDir) {
    if (!pick(abs(options.stateDir, home), 'flag')) throw new DeploymentNotFoundError(facts.hostLabel, tried)
  } else if (options.profile) {
    pick(posix.join(home, `.openclaw-${options.profile}`), 'profile')
  } else {
    const fromEnv = env.OPENCLAW_STATE_DIR ?? env.CLAWDBOT_STATE_DIR
    const envSource = facts.user === facts.loginUser && (facts.env.OPENCLAW_STATE_DIR ?? facts.env.CLAWDBOT_STATE_DIR) ? 'env' : 'service'
    if (!(fromEnv && pick(abs(fromEnv, home), envSource))) {
      if (!(profile && pick(posix.join(home, `.openclaw-${profile}`), 'profile'))) {
        if (!pick(posix.join(home, '.openclaw'), 'default')) {
          for (const legacy of LEGACY_STATE_DIRS) if (pick(posix.join(home, legacy), 'legacy')) break
        }
      }
    }
  }
  if (stateDir === undefined) throw new DeploymentNotFoundError(facts.hostLabel, tried)

  let configPath: string | undefined
  const explicitConfig = options.configPath ?? (options.stateDir || options.profile ? undefined : env.OPENCLAW_CONFIG_PATH ?? env.CLAWDBOT_CONFIG_PATH)
  if (explicitConfig) configPath = abs(explicitConfig, home)
  else configPath = CONFIG_NAMES.map((name) => posix.join(stateDir as string, name)).find((p) => exists(p)) ?? posix.join(stateDir, 'openclaw.json')

  return {stateDir, configPath, profile, source, home}
}

/** Every path locateDeployment may ask `exists` about, so one round trip can answer them all. */
export function locateCandidates(facts: HostFacts, options: LocateOptions, serviceEnv: Record<string, string>): string[] {
  const env: Record<string, string> = {...serviceEnv, ...(facts.user === facts.loginUser ? facts.env : {})}
  const home = expandHome(env.OPENCLAW_HOME ?? facts.home, facts.home)
  const dirs = new Set<string>()
  if (options.stateDir) dirs.add(abs(options.stateDir, home))
  for (const p of [options.profile, env.OPENCLAW_PROFILE]) if (p && PROFILE_RE.test(p)) dirs.add(posix.join(home, `.openclaw-${p}`))
  for (const v of [env.OPENCLAW_STATE_DIR, env.CLAWDBOT_STATE_DIR]) if (v) dirs.add(abs(v, home))
  dirs.add(posix.join(home, '.openclaw'))
  for (const legacy of LEGACY_STATE_DIRS) dirs.add(posix.join(home, legacy))
  const out = new Set<string>(dirs)
  for (const d of dirs) for (const name of CONFIG_NAMES) out.add(posix.join(d, name))
  return [...out]
}

/** Expands `~` and `~/…` with `home`, and makes relative paths absolute against it. */
export function abs(p: string, home: string): string {
  return posix.normalize(expandHome(p, home).startsWith('/') ? expandHome(p, home) : posix.join(home, p))
}

export function expandHome(p: string, home: string): string {
  if (p === '~') return home
  if (p.startsWith('~/')) return posix.join(home, p.slice(2))
  return p
}
