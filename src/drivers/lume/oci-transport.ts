import {z} from 'zod'

import type {Context} from '../../context.js'
import {UsageError} from '../../errors.js'
import type {HostSpec} from '../../hosts/host-spec.js'
import type {RegistryCredentials, RegistryTransport, VmSummary} from '../api.js'
import {runTool} from '../common/run-tool.js'
import {LUME_TOOL} from './errors.js'
import {lumeState, parseLumeVm} from './schema.js'

/**
 * Lume's OCI-registry transport (reference §1.2, §1.3 way 3): `lume push` on the source, `lume pull`
 * on the target. An alternative to moving the VM dir when both Macs reach a registry but not each
 * other. lume always talks https and reads credentials from GITHUB_USERNAME/GITHUB_TOKEN.
 */
export const registryRefSchema = z.object({
  /** Registry host, e.g. `ghcr.io` or `registry.example:5000` (lume adds https://). */
  registry: z.string().regex(/^[A-Za-z0-9.-]+(?::\d+)?$/, 'a registry host[:port], without a scheme'),
  organization: z.string().regex(/^[a-z0-9][a-z0-9._/-]*$/, 'lowercase letters, digits, ".", "_", "-", "/"'),
  image: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, ".", "_", "-"'),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/, 'an OCI tag'),
})
export type LumeRegistryRef = z.infer<typeof registryRefSchema>


/** Parses `host[:port]/org[/...]/image:tag`. */
export function parseRegistryRef(text: string): LumeRegistryRef {
  const m = /^([^/]+)\/(.+)\/([^/:]+):([^/:]+)$/.exec(text)
  const parsed = m ? registryRefSchema.safeParse({registry: m[1], organization: m[2], image: m[3], tag: m[4]}) : undefined
  if (!parsed?.success) {
    throw new UsageError(`invalid registry reference "${text}"${parsed ? `: ${parsed.error.issues[0]?.path.join('.')} must be ${parsed.error.issues[0]?.message}` : ''}`, 'Write it as REGISTRY/ORGANIZATION/IMAGE:TAG, e.g. ghcr.io/acme/openclaw-vm:moved.')
  }
  return parsed.data
}

const refArgs = (ref: LumeRegistryRef) => ['--registry', ref.registry, '--organization', ref.organization]

export const lumeOciArgv = {
  push: (name: string, ref: LumeRegistryRef) => ['lume', 'push', name, `${ref.image}:${ref.tag}`, ...refArgs(ref)],
  pull: (ref: LumeRegistryRef, name: string, storage?: string) => ['lume', 'pull', `${ref.image}:${ref.tag}`, name, ...refArgs(ref), ...(storage ? ['--storage', storage] : [])],
}

// Reads the token from stdin into the environment, then execs lume: the token never reaches argv.
const WITH_CREDENTIALS = 'IFS= read -r GITHUB_TOKEN; GITHUB_USERNAME=$1; export GITHUB_TOKEN GITHUB_USERNAME; shift; exec "$@"'

function withCredentials(argv: string[], credentials: RegistryCredentials | undefined): {argv: string[]; input?: string} {
  if (!credentials) return {argv}
  return {argv: ['sh', '-c', WITH_CREDENTIALS, 'sh', credentials.username, ...argv], input: `${credentials.token}\n`}
}

/** The transport with references as the user writes them (`REGISTRY/ORG/IMAGE:TAG`). */
export const lumeOciTransport = {
  checkRef(ref: string): void {
    parseRegistryRef(ref)
  },

  /** Pushes the (stopped) VM `name` on `host` to `ref`. Without credentials, lume uses the host's own environment. */
  async push(host: HostSpec, name: string, ref: string, ctx: Context, credentials?: RegistryCredentials): Promise<void> {
    if (credentials) ctx.runner.redactor.add(credentials.token)
    const {argv, input} = withCredentials(lumeOciArgv.push(name, parseRegistryRef(ref)), credentials)
    await runTool(LUME_TOOL, host, ctx, argv, {timeoutMs: 6 * 3600_000, ...(input ? {input} : {})})
  },

  /**
   * Pulls `ref` as VM `name` on `host` (lume refuses when that VM dir exists), into the storage
   * location of `options.storage` when given, then confirms with `lume get`.
   */
  async pull(host: HostSpec, ref: string, name: string, ctx: Context, request: {options?: Record<string, unknown>; credentials?: RegistryCredentials} = {}): Promise<VmSummary> {
    const storage = typeof request.options?.storage === 'string' ? request.options.storage : undefined
    const options = {...(storage ? {storage} : {}), ...(request.credentials ? {credentials: request.credentials} : {})}
    if (options.credentials) ctx.runner.redactor.add(options.credentials.token)
    const {argv, input} = withCredentials(lumeOciArgv.pull(parseRegistryRef(ref), name, options.storage), options.credentials)
    await runTool(LUME_TOOL, host, ctx, argv, {timeoutMs: 6 * 3600_000, ...(input ? {input} : {})})
    const got = await runTool(LUME_TOOL, host, ctx, ['lume', 'get', name, '-f', 'json', ...(options.storage ? ['--storage', options.storage] : [])], {timeoutMs: 60_000})
    const vm = parseLumeVm(got.stdout, `lume get ${name} -f json`, ctx.shells.get(host).label)
    return {name: vm.name, state: lumeState(vm.status)}
  },
} satisfies RegistryTransport
