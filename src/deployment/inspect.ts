import type {Context} from '../context.js'
import type {HostSpec} from '../hosts/host-spec.js'
import {settledInOrder} from '../hosts/in-order.js'
import type {Shell} from '../hosts/shell.js'
import {getPath, isPlainObject, loadConfig, type LoadedConfig, envReferences} from './config-loader.js'
import {gatewayPort} from './gateway-port.js'
import {resolveAgents} from './agents.js'
import {CATALOG, classifyEntries, newComponent, TABLE_KINDS, type Slot} from './classify.js'
import * as rules from './findings.js'
import {probeHost, type HostFacts} from './host-facts.js'
import {abs, locateCandidates, locateDeployment, type Location} from './locate.js'
import {existingPaths, isInside, listTrees, probePaths, posix, readEnvKeys, readTextFile, type EnvKeys, type TreeListing} from '../hosts/remote-fs.js'
import {discoverSchedules} from './schedules.js'
import {discoverServices, type ServiceFile} from './services.js'
import type {Component, Finding, Inventory, SecretKey} from './types.js'
import {detectLayout} from './version.js'
import {ConfigError, DeploymentNotFoundError, PermissionDeniedError} from '../errors.js'

export interface InspectOptions {
  host: HostSpec
  user?: string
  stateDir?: string
  configPath?: string
  profile?: string
  /** Home of the user, when it is not the one in the host's user database (a migration target). */
  home?: string
}

const SYSTEM_SECRETS_FILES = ['/etc/openclaw/secrets.env']

/** Finds the deployment on a host and reports every component, how it migrates, and what needs attention. */
export async function inspectDeployment(options: InspectOptions, ctx: Context): Promise<Inventory> {
  return (await inspectWithFacts(options, ctx)).inventory
}

/**
 * `inspectDeployment`, plus the host facts its probe found (tools, processes), so a caller that
 * needs them does not probe the host again. Reads that do not depend on each other run at the same
 * time (each one is a round trip over ssh): the probe with the service files; then where the state
 * dir is, while its config, listing, schedules and secret names are read; then what lies outside it.
 */
export async function inspectWithFacts(options: InspectOptions, ctx: Context): Promise<{inventory: Inventory; facts: HostFacts}> {
  const shell = ctx.shells.get(options.host)
  ctx.reporter.step(`Probing ${shell.label}, looking for service files`)
  const [probed, serviceFiles] = await settledInOrder([
    probeHost(shell, options.user),
    discoverServices(shell, options.home ? {home: options.home} : {user: options.user}, ctx.runner.redactor),
  ] as const)
  const facts = options.home ? {...probed, home: options.home} : probed
  const services = serviceFiles(facts.home)
  const gatewayService = pickGatewayService(services, facts.user, options.profile)
  const serviceEnv = gatewayService?.env ?? {}
  const includeRoots = (serviceEnv.OPENCLAW_INCLUDE_ROOTS ?? facts.env.OPENCLAW_INCLUDE_ROOTS ?? '').split(':').filter(Boolean)
  // Config, listing, schedules and secret names of a state dir, read at the same time; settled in
  // this order, so the error reported is the one a sequential read would hit first.
  const readState = (location: Location, readable: boolean) => settledInOrder([
    readable ? assertReadableDir(shell, location.stateDir) : Promise.resolve(),
    loadConfigOrNote(shell, location.configPath, includeRoots),
    listTrees(shell, [location.stateDir]),
    readEnvKeys(shell, secretFiles(services, location.stateDir, location.profile)),
    discoverSchedules(shell, {user: facts.user, home: facts.home, stateDir: location.stateDir}, services),
  ] as const)
  // The first candidate (the --state-dir given, or ~/.openclaw) is most likely there with an
  // openclaw.json: read it while the candidates are probed, one round trip earlier (kept only if
  // the guess holds; a legacy or missing deployment costs those reads once more).
  const guess = guessLocation(() => locateDeployment(facts, options, serviceEnv, () => true))
  const early = guess ? readState(guess, true) : undefined
  early?.catch(() => {})
  const {present, hidden} = await probePaths(shell, locateCandidates(facts, options, serviceEnv))
  const location = locateOrExplain(() => locateDeployment(facts, options, serviceEnv, (p) => present.has(p)), hidden, shell.label)

  ctx.reporter.step(`Reading config ${location.configPath}, listing ${location.stateDir}`)
  const held = early && guess?.stateDir === location.stateDir && guess.configPath === location.configPath && present.has(location.stateDir) && present.has(location.configPath)
  if (early && !held) await early.catch(() => {})
  const [, loaded, stateListing, envFiles, schedules] = held ? await early : await readState(location, present.has(location.stateDir))
  const findings: Finding[] = loaded.finding ? [loaded.finding] : []
  const config = loaded.merged

  const agentIds = new Set<string>()
  for (const e of stateListing.entries) {
    const m = /^agents\/([^/]+)$/.exec(posix.relative(location.stateDir, e.path))
    if (m?.[1] && e.type === 'dir') agentIds.add(m[1])
  }
  const agents = resolveAgents(config, location, [...agentIds])
  const pathRefs = rules.configPathRefs(config, location.home)
  const externals = externalSlots(config, location.home, facts.home, gatewayService)
  const outside = (p: string) => !isInside(p, location.stateDir)
  const wsCandidates = [...new Set(agents.flatMap((a) => a.workspaceCandidates))]
  const fixedRoots = [...externals.map((e) => e.root), ...loaded.files.map((f) => f.path)].filter(outside)
  // One round trip lists everything outside the state dir that may belong to the deployment (a
  // workspace candidate that does not exist comes back as missing), while another asks which of
  // the other candidates and of the paths named in the config exist.
  const [exists, outsideListing] = await settledInOrder([
    existingPaths(shell, [...new Set([...wsCandidates.filter((c) => !outside(c)), ...pathRefs.map((r) => r.resolved)])]),
    listTrees(shell, [...new Set([...wsCandidates.filter(outside), ...fixedRoots])]),
  ] as const)
  const existing = new Set([...exists, ...wsCandidates.filter((c) => outside(c) && !outsideListing.missing.includes(c))])
  const workspaces = agents.map((a) => ({agent: a.id, dir: a.workspaceCandidates.find((c) => existing.has(c)) ?? a.workspaceCandidates[0] ?? ''}))

  // Of the outside candidates, only the workspaces chosen belong to the deployment.
  const outsideRoots = [...new Set([...workspaces.map((w) => w.dir).filter((d) => existing.has(d) && outside(d)), ...fixedRoots])]
  const belongs = (p: string) => outsideRoots.some((r) => isInside(p, r))
  const listing: TreeListing = {
    entries: [...stateListing.entries, ...outsideListing.entries.filter((e) => belongs(e.path))],
    missing: outsideListing.missing.filter((m) => fixedRoots.includes(m)),
    denied: [...stateListing.denied, ...outsideListing.denied.filter(belongs)],
  }

  const components = classifyEntries({stateDir: location.stateDir, entries: listing.entries, workspaces, externals, configFiles: loaded.files.map((f) => f.path)})

  ctx.reporter.step('Reading secrets (key names only), extensions and schedules')
  const secrets = collectSecrets(envFiles, {services, stateDir: location.stateDir, config})
  const manifests = await readPluginManifests(shell, [...components.values()].filter((c) => c.kind === 'extensions').flatMap((c) => c.paths))

  addSyntheticComponents(components, {config, services, schedules, secrets, stateDir: location.stateDir, listing})
  const existingRefs = new Set(pathRefs.map((r) => r.resolved).filter((p) => existing.has(p)))

  const configVersion = getPath(config, 'meta.lastTouchedVersion')
  const version = typeof configVersion === 'string' ? configVersion : undefined
  findings.push(
    ...rules.gatewayMode(config),
    ...rules.placeholderAllowFrom(config),
    ...rules.secretValueFindings(secrets),
    ...rules.pluginDirMismatch(manifests),
    ...rules.danglingPaths(pathRefs, existingRefs, location.stateDir),
    ...rules.liveGateway(facts.gatewayProcesses, listing),
    ...rules.listingProblems(listing, location.stateDir),
    ...rules.configNotes(loaded.files, config),
  )
  if (components.get('signal')?.present) {
    findings.push({severity: 'info', code: 'signal-re-pair', message: 'Signal is configured: its keys cannot move', hint: 'After the move, link the target as a new device: signal-cli link -n "OpenClaw" (ocvm/signal shows the QR code).'})
  }

  const ordered = orderComponents(components)
  const sum = (f: (c: Component) => boolean) => ordered.filter(f).reduce((n, c) => n + c.sizeBytes, 0)
  const inventory: Inventory = {
    host: shell.label,
    os: {kernel: facts.kernel, arch: facts.arch},
    user: facts.user,
    home: facts.home,
    stateDir: location.stateDir,
    stateDirSource: location.source,
    configPath: location.configPath,
    profile: location.profile,
    version: {config: version, cli: facts.openclaw?.version, cliPath: facts.openclaw?.path},
    layout: detectLayout(location.stateDir, listing.entries, version ?? facts.openclaw?.version),
    gateway: {running: facts.gatewayProcesses.length > 0, processes: facts.gatewayProcesses.map(({pid, user}) => ({pid, user})), port: gatewayPort(config, serviceEnv)},
    agents: agents.map((a, i) => ({id: a.id, isDefault: a.isDefault, workspace: workspaces[i]?.dir ?? '', workspaceExists: existing.has(workspaces[i]?.dir ?? ''), agentDir: a.agentDir})),
    configFiles: loaded.files.map((f) => ({path: f.path, ...(f.includedFrom ? {includedFrom: f.includedFrom} : {}), hasComments: f.hasComments})),
    components: ordered,
    secrets,
    services,
    schedules,
    findings,
    totals: {
      sizeBytes: sum(() => true),
      fileCount: ordered.reduce((n, c) => n + c.fileCount, 0),
      transferBytes: sum((c) => c.treatment === 'transfer' || c.treatment === 'optional'),
    },
  }
  return {inventory, facts}
}

/** The config and its $include files; a missing main config is a finding (the rest is still inspected). */
async function loadConfigOrNote(shell: Shell, configPath: string, includeRoots: string[]): Promise<LoadedConfig & {finding?: Finding}> {
  try {
    return await loadConfig(configPath, (p) => readTextFile(shell, p), {extraRoots: includeRoots})
  } catch (error) {
    if (!(error instanceof ConfigError && error.details.file === configPath && /config file does not exist/.test(error.message))) throw error
    return {
      mainPath: configPath, configDir: posix.dirname(configPath), files: [], merged: {},
      finding: {severity: 'error', code: 'config-missing', message: `no config file at ${configPath}`, hint: 'The gateway will not start without one: run `openclaw setup` or point ocvm at the right --state-dir.'},
    }
  }
}

/** A location to read ahead, or none when even the guess is not valid (the real lookup then explains). */
function guessLocation(locate: () => Location): Location | undefined {
  try {
    return locate()
  } catch {
    return undefined
  }
}

async function assertReadableDir(shell: Shell, dir: string): Promise<void> {
  const probe = await shell.script('[ -r "$1" ] && [ -x "$1" ]', [dir], {allowFailure: true, timeoutMs: 30_000})
  if (probe.exitCode !== 0) throw new PermissionDeniedError(shell.label, dir)
}

/** The service that runs this user's gateway (the profile's instance when one is asked for). */
/** The service that runs `user`'s gateway (of `profile`), among the ones found. */
export function pickGatewayService(services: readonly ServiceFile[], user: string, profile: string | undefined): ServiceFile | undefined {
  const gateways = services.filter((s) => (s.kind === 'systemd-unit' || s.kind.startsWith('launch')) && (s.runAs === undefined || s.runAs === user))
  return gateways.find((s) => (profile ? s.instance === profile : s.instance === undefined)) ?? (profile ? undefined : gateways[0])
}

/** Component paths that live outside the state dir, named by the config or by convention. */
function externalSlots(config: Record<string, unknown>, home: string, userHome: string, service: ServiceFile | undefined): Slot[] {
  const slots: Slot[] = []
  const sa = getPath(config, 'channels.googlechat.serviceAccountFile') ?? service?.env.GOOGLE_CHAT_SERVICE_ACCOUNT_FILE
  if (typeof sa === 'string' && sa) slots.push({kind: 'googlechat', root: abs(sa, home)})
  const accounts = getPath(config, 'channels.whatsapp.accounts')
  if (isPlainObject(accounts)) {
    for (const [id, account] of Object.entries(accounts)) {
      const authDir = isPlainObject(account) ? account.authDir : undefined
      if (typeof authDir === 'string' && authDir) slots.push({kind: 'whatsapp', key: id, root: abs(authDir, home)})
    }
  }
  // signal-cli keeps its keys in its own data dir, not in credentials/ (openclaw.md §1c).
  slots.push({kind: 'signal', root: posix.join(userHome, '.local/share/signal-cli')})
  return slots
}

/** The dotenv files whose key names are read: system secrets, the services' EnvironmentFiles, the state dir's .env. */
function secretFiles(services: readonly ServiceFile[], stateDir: string, profile: string | undefined): string[] {
  return [...new Set([
    ...SYSTEM_SECRETS_FILES,
    ...(profile ? [`/etc/openclaw/secrets-${profile}.env`] : []),
    ...services.flatMap((s) => s.environmentFiles),
    posix.join(stateDir, '.env'),
  ])]
}

function collectSecrets(envFiles: readonly EnvKeys[], options: {services: readonly ServiceFile[]; stateDir: string; config: Record<string, unknown>}): SecretKey[] {
  const byName = new Map<string, SecretKey>()
  const note = (name: string, source: string, state: SecretKey['state']) => {
    const existing = byName.get(name)
    if (existing) {
      if (!existing.sources.includes(source)) existing.sources.push(source)
      // An empty value anywhere is what breaks startup, so it wins.
      if (state === 'empty' || existing.state === 'referenced') existing.state = state
    } else byName.set(name, {name, sources: [source], state})
  }
  for (const file of envFiles) {
    for (const key of file.keys) note(key.name, file.file, key.value)
  }
  for (const service of options.services) {
    const prefix = service.kind.startsWith('launch') ? 'plist' : 'unit'
    for (const key of service.secretKeys) note(key.name, `${prefix}:${service.path}`, key.value)
  }
  for (const name of envReferences(options.config)) {
    if (!byName.has(name)) note(name, 'config', 'referenced')
    else note(name, 'config', byName.get(name)?.state ?? 'set')
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name))
}

async function readPluginManifests(shell: Shell, dirs: readonly string[]): Promise<Array<{dir: string; id: string | undefined}>> {
  return Promise.all(dirs.map(async (dir) => {
    try {
      const text = await readTextFile(shell, posix.join(dir, 'openclaw.plugin.json'))
      const parsed: unknown = text === undefined ? undefined : JSON.parse(text)
      return {dir, id: isPlainObject(parsed) && typeof parsed.id === 'string' ? parsed.id : undefined}
    } catch {
      return {dir, id: undefined}
    }
  }))
}

function addSyntheticComponents(
  components: Map<string, Component>,
  input: {config: Record<string, unknown>; services: readonly ServiceFile[]; schedules: Inventory['schedules']; secrets: readonly SecretKey[]; stateDir: string; listing: TreeListing},
): void {
  const add = (component: Component) => components.set(component.id, component)
  const serviceSecretSources = [...new Set(input.secrets.flatMap((s) => s.sources).filter((s) => s !== 'config' && s !== posix.join(input.stateDir, '.env')))]
  if (serviceSecretSources.length > 0) {
    add({...newComponent({kind: 'secrets'}, input.stateDir), paths: serviceSecretSources.map((s) => s.replace(/^(plist|unit):/, '')), outsideStateDir: true, note: `${CATALOG.secrets.note}; keys: ${input.secrets.filter((s) => s.sources.some((x) => serviceSecretSources.includes(x))).map((s) => s.name).join(', ')}`})
  }
  if (input.services.length > 0) {
    add({...newComponent({kind: 'services'}, input.stateDir), paths: input.services.map((s) => s.path), fileCount: input.services.length, outsideStateDir: true})
  }
  if (input.schedules.length > 0) {
    add({...newComponent({kind: 'schedules'}, input.stateDir), paths: input.schedules.map((s) => s.source), fileCount: input.schedules.length, outsideStateDir: true})
  }
  // Signal configured in the config but without signal-cli data here still needs a re-pair.
  if (!components.has('signal') && isPlainObject(getPath(input.config, 'channels.signal'))) {
    add({...newComponent({kind: 'signal'}, input.stateDir), note: `${CATALOG.signal.note} (configured, but no signal-cli data dir was found)`})
  }
  // From 2026.7 the memory index lives inside the agent database: nothing to list, still to rebuild.
  const agentDbs = input.listing.entries.filter((e) => /\/agents\/[^/]+\/agent\/openclaw-agent\.sqlite$/.test(e.path))
  if (![...components.values()].some((c) => c.kind === 'memory-index') && agentDbs.length > 0) {
    add({...newComponent({kind: 'memory-index'}, input.stateDir), paths: agentDbs.map((e) => e.path), note: `${CATALOG['memory-index'].note} (stored inside the agent database)`})
  }
}

function orderComponents(components: Map<string, Component>): Component[] {
  const kinds = Object.keys(CATALOG)
  const list = [...components.values()]
  for (const kind of TABLE_KINDS) {
    if (!list.some((c) => c.kind === kind)) list.push({...newComponent({kind}, ''), present: false, outsideStateDir: false, note: `not found — ${CATALOG[kind].note}`})
  }
  return list.sort((a, b) => kinds.indexOf(a.kind) - kinds.indexOf(b.kind) || a.id.localeCompare(b.id))
}

/** A state dir we looked for but could not see (a parent we may not search) is a permission problem. */
function locateOrExplain(locate: () => Location, hidden: Set<string>, host: string): Location {
  try {
    return locate()
  } catch (error) {
    const blocked = error instanceof DeploymentNotFoundError ? error.tried.find((dir) => hidden.has(dir)) : undefined
    if (blocked) throw new PermissionDeniedError(host, blocked)
    throw error
  }
}
