import type {Context} from '../context.js'
import type {HostSpec} from '../hosts/host-spec.js'
import {probeHost} from '../deployment/host-facts.js'
import {compareVersions} from '../deployment/version.js'

export type CheckStatus = 'ok' | 'warn' | 'fail'

export interface HostCheck {
  name: string
  status: CheckStatus
  detail: string
  hint?: string
}

export interface DoctorResult {
  host: string
  os: string
  arch: string
  user: string
  checks: HostCheck[]
  status: 'ok' | 'failed'
}

export interface DoctorOptions {
  host: HostSpec
}

/** The oldest OpenClaw ocvm knows how to move (sessions.json era); older ones predate the rename. */
const OLDEST_SUPPORTED = '2026.1.29'

const TOOL_CHECKS: Array<{tool: string; required: boolean; why: string}> = [
  {tool: 'ssh', required: false, why: 'reaches other hosts (needed on the machine that runs ocvm)'},
  {tool: 'tar', required: true, why: 'packs and unpacks the state'},
  {tool: 'find', required: true, why: 'lists the state'},
  {tool: 'zstd', required: false, why: 'compresses transfers (gzip is used without it)'},
  {tool: 'rsync', required: false, why: 'fast delta re-runs'},
  {tool: 'sudo', required: false, why: 'acting as the service user when connected as another'},
]

/** What a host offers for a migration: reachability, tools, OpenClaw, free disk. */
export async function checkHost(options: DoctorOptions, ctx: Context): Promise<DoctorResult> {
  const shell = ctx.shells.get(options.host)
  ctx.reporter.step(`Checking ${shell.label}`)
  const started = Date.now()
  const facts = await probeHost(shell, undefined)
  const checks: HostCheck[] = [{
    name: 'reachable',
    status: 'ok',
    detail: options.host.kind === 'local' ? 'this machine' : `ssh works (${Date.now() - started} ms for the first round trip)`,
  }]

  for (const {tool, required, why} of TOOL_CHECKS) {
    const has = facts.tools[tool] === true
    checks.push({
      name: tool,
      status: has ? 'ok' : required ? 'fail' : 'warn',
      detail: has ? `installed (${why})` : `not installed: ${why}`,
      ...(has ? {} : {hint: installHint(tool, facts.os)}),
    })
  }
  const checksum = facts.tools.sha256sum || facts.tools.shasum
  checks.push({name: 'sha256', status: checksum ? 'ok' : 'fail', detail: checksum ? `available (${facts.tools.sha256sum ? 'sha256sum' : 'shasum'})` : 'neither sha256sum nor shasum found', ...(checksum ? {} : {hint: installHint('coreutils', facts.os)})})

  if (facts.openclaw) {
    const v = facts.openclaw.version
    const old = v !== undefined && compareVersions(v, OLDEST_SUPPORTED) < 0
    checks.push({
      name: 'openclaw',
      status: v === undefined || old ? 'warn' : 'ok',
      detail: v === undefined ? `${facts.openclaw.path} found but \`openclaw --version\` printed no version (is Node >= 24 on its PATH?)` : `${v} at ${facts.openclaw.path}`,
      ...(v === undefined ? {hint: 'Install Node 24 for the user that runs OpenClaw, then `npm install -g openclaw`.'} : old ? {hint: `OpenClaw ${v} predates ${OLDEST_SUPPORTED}; upgrade it first.`} : {}),
    })
  } else {
    checks.push({name: 'openclaw', status: 'warn', detail: 'not on PATH for this login', hint: 'A migration target needs OpenClaw (same or newer version than the source): npm install -g openclaw (Node >= 24).'})
  }

  const df = await shell.script('df -Pk "$1" 2>/dev/null | tail -n 1', [facts.home], {allowFailure: true, timeoutMs: 30_000})
  const freeKiB = parseDfAvailableKiB(df.stdout)
  checks.push(freeKiB === undefined
    ? {name: 'disk', status: 'warn', detail: `could not read free space of ${facts.home}`}
    : {name: 'disk', status: freeKiB < 1024 * 1024 ? 'warn' : 'ok', detail: `${formatKiB(freeKiB)} free in ${facts.home}`, ...(freeKiB < 1024 * 1024 ? {hint: 'Less than 1 GiB free: a migration needs the deployment size plus a margin.'} : {})})

  if (facts.gatewayProcesses.length > 0) {
    checks.push({name: 'gateway', status: 'ok', detail: `running (pid ${facts.gatewayProcesses.map((p) => p.pid).join(', ')})`})
  }

  return {host: shell.label, os: facts.os, arch: facts.arch, user: facts.loginUser, checks, status: checks.some((c) => c.status === 'fail') ? 'failed' : 'ok'}
}

/** Pure: the "Available" column (KiB) of `df -Pk` output's last line. */
export function parseDfAvailableKiB(line: string): number | undefined {
  const fields = line.trim().split(/\s+/)
  const available = Number(fields[3])
  return fields.length >= 6 && Number.isFinite(available) ? available : undefined
}

export function formatKiB(kib: number): string {
  if (kib >= 1024 * 1024) return `${(kib / 1024 / 1024).toFixed(1)} GiB`
  if (kib >= 1024) return `${(kib / 1024).toFixed(1)} MiB`
  return `${kib} KiB`
}

function installHint(tool: string, os: string): string {
  return os === 'macos' ? `brew install ${tool}` : `apt-get install ${tool} (or your distribution's package manager)`
}
