import type {Shell} from '../hosts/shell.js'
import {globFiles} from './glob-files.js'
import {posix, readTextFile} from '../hosts/remote-fs.js'
import {maskInlineSecrets} from './secret-names.js'
import type {ServiceFile} from './services.js'

export type ScheduleKind = 'crontab' | 'cron.d' | 'logrotate' | 'newsyslog' | 'systemd-timer'

export interface ScheduledTask {
  kind: ScheduleKind
  /** Where it was found: a file, or `crontab:<user>`. */
  source: string
  /** The relevant lines, with inline credentials masked. */
  lines: string[]
  /** Variables set at the top of a crontab (names only: they often hold tokens). */
  envKeys: string[]
  /** What the task is for, when recognisable. */
  purpose: Array<'log-rotation' | 'session-pruning' | 'temp-cleanup' | 'workspace-git-sync' | 'other'>
}

const FILE_GLOBS: Array<[ScheduleKind, string]> = [
  ['logrotate', '/etc/logrotate.d/*openclaw*'],
  ['newsyslog', '/etc/newsyslog.d/*openclaw*'],
  ['cron.d', '/etc/cron.d/*openclaw*'],
]

// `crontab -l` exits 1 with "no crontab for X" when there is none: that is not an error.
const CRONTAB_SCRIPT = String.raw`
u="$1"; me=$(id -un)
if ! command -v crontab >/dev/null 2>&1; then exit 0; fi
if [ "$u" = "$me" ]; then crontab -l 2>/dev/null; elif [ "$(id -u)" = 0 ]; then crontab -l -u "$u" 2>/dev/null; fi
echo "#--ocvm-root--"
if [ "$(id -u)" = 0 ] && [ "$u" != "$me" ]; then crontab -l 2>/dev/null; fi
exit 0
`

export interface ScheduleScanOptions {
  user: string
  home: string
  stateDir: string
}

export async function discoverSchedules(shell: Shell, options: ScheduleScanOptions, services: ServiceFile[]): Promise<ScheduledTask[]> {
  const tasks: ScheduledTask[] = []
  // The crontabs and the schedule files are independent round trips: asked at the same time.
  const [crontabs, found] = await Promise.all([
    shell.script(CRONTAB_SCRIPT, [options.user], {timeoutMs: 30_000}),
    globFiles(shell, options.home, FILE_GLOBS.map(([, pattern]) => pattern)),
  ])
  const [userPart = '', rootPart = ''] = crontabs.stdout.split('#--ocvm-root--\n')
  const relevant = relevanceTest(options)
  const userTab = parseCrontab(userPart, () => true)
  if (userTab.lines.length > 0) tasks.push({kind: 'crontab', source: `crontab:${options.user}`, ...userTab})
  const rootTab = parseCrontab(rootPart, relevant)
  if (rootTab.lines.length > 0) tasks.push({kind: 'crontab', source: 'crontab:root', ...rootTab})

  const files = FILE_GLOBS.flatMap(([kind, pattern]) => found.filter((f) => posix.dirname(f) === posix.dirname(pattern)).map((file) => ({kind, file})))
  const texts = await Promise.all(files.map(({file}) => readTextFile(shell, file)))
  files.forEach(({kind, file}, i) => {
    const text = texts[i]
    if (text === undefined) return
    const parsed = kind === 'cron.d' ? parseCrontab(text, () => true) : {lines: configLines(text), envKeys: [], purpose: ['log-rotation' as const]}
    tasks.push({kind, source: file, ...parsed})
  })
  for (const timer of services.filter((s) => s.kind === 'systemd-timer')) {
    tasks.push({kind: 'systemd-timer', source: timer.path, lines: [timer.name], envKeys: [], purpose: ['other']})
  }
  return tasks
}

function relevanceTest(options: ScheduleScanOptions): (line: string) => boolean {
  return (line) => /openclaw|clawdbot/i.test(line) || line.includes(options.stateDir)
}

function configLines(text: string): string[] {
  return text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() && !l.trim().startsWith('#')).map(maskInlineSecrets)
}

/** Pure: the job lines of a crontab that pass `keep`, env assignments reduced to their names. */
export function parseCrontab(text: string, keep: (line: string) => boolean): Omit<ScheduledTask, 'kind' | 'source'> {
  const lines: string[] = []
  const envKeys: string[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const assignment = /^([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)
    if (assignment?.[1]) {
      envKeys.push(assignment[1])
      continue
    }
    if (keep(line)) lines.push(maskInlineSecrets(line))
  }
  const purpose = [...new Set(lines.map(schedulePurpose))]
  return {lines, envKeys, purpose: purpose.length > 0 ? purpose : ['other']}
}

export function schedulePurpose(line: string): ScheduledTask['purpose'][number] {
  if (/sessions.*(-mtime|-delete)|(-mtime|-delete).*sessions/.test(line)) return 'session-pruning'
  if (/openclaw-image-gen|\/tmp\/openclaw/.test(line)) return 'temp-cleanup'
  if (/\bgit\b.*\b(push|commit)\b/.test(line)) return 'workspace-git-sync'
  if (/logrotate|newsyslog/.test(line)) return 'log-rotation'
  return 'other'
}
