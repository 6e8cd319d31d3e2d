import {defineHook, type HookCheck, type HookContext} from '../api.js'
import {logDir, targetInputs} from '../inputs.js'
import {logrotateConfig, newsyslogConfig, translateCron} from '../schedule-definitions.js'

function plan(ctx: HookContext) {
  const t = targetInputs(ctx)
  const name = t.instance ? `openclaw-${t.instance}` : 'openclaw'
  const rotation = ctx.os === 'macos'
    ? {file: `/etc/newsyslog.d/${name}.conf`, text: newsyslogConfig(logDir(t), t.user, t.group)}
    : {file: `/etc/logrotate.d/${name}`, text: logrotateConfig(logDir(t), t.user, t.group)}
  const cron = translateCron(t.source?.schedules ?? [], t.mappings)
  return {t, rotation, cron}
}

// The user's crontab: root reads and writes it with -u (crontab exits 1 when there is none).
const READ_CRONTAB = `crontab -u "$1" -l 2>/dev/null; exit 0`
const ADD_CRONTAB = String.raw`
u="$1"; t=$(mktemp) || exit 1
crontab -u "$u" -l 2>/dev/null > "$t"
cat >> "$t"
crontab -u "$u" "$t"; s=$?; rm -f "$t"; exit $s
`

async function state(ctx: HookContext): Promise<HookCheck & {missingCron: string[]}> {
  const {t, rotation, cron} = plan(ctx)
  const details: string[] = []
  const same = await ctx.shell.script('[ -f "$1" ] && cmp -s - "$1"', [rotation.file], {input: rotation.text, allowFailure: true, timeoutMs: 30_000})
  if (same.exitCode !== 0) details.push(`${rotation.file} is missing or differs`)
  const current = cron.lines.length > 0 ? (await ctx.shell.script(READ_CRONTAB, [t.user], {timeoutMs: 30_000})).stdout.split('\n').map((l) => l.trim()) : []
  const missingCron = cron.lines.filter((l) => !current.includes(l))
  details.push(...missingCron.map((l) => `crontab of ${t.user} lacks: ${l}`))
  return {satisfied: details.length === 0, details, missingCron}
}

export const schedules = defineHook({
  id: 'ocvm/schedules',
  description: 'recreate log rotation (logrotate/newsyslog) and the source\'s cron jobs (session pruning, temp cleanup, git sync) with translated paths',
  appliesTo: {},
  onError: 'continue',
  timeoutMs: 2 * 60_000,
  async check(ctx) {
    const {satisfied, details} = await state(ctx)
    const {cron} = plan(ctx)
    return {satisfied, details: [...details, ...cron.manual.map((m) => `manual: ${m}`)]}
  },
  async apply(ctx) {
    const {t, rotation, cron} = plan(ctx)
    const before = await state(ctx)
    const changed: string[] = []
    if (before.details.some((d) => d.startsWith(rotation.file))) {
      await ctx.shell.script('mkdir -p -- "$(dirname -- "$1")" && cat > "$1.ocvm-new" && chmod 644 "$1.ocvm-new" && mv -f -- "$1.ocvm-new" "$1"', [rotation.file], {input: rotation.text, timeoutMs: 30_000})
      changed.push(`${rotation.file} (rotates ${logDir(t)}/*.log)`)
    }
    if (before.missingCron.length > 0) {
      await ctx.shell.script(ADD_CRONTAB, [t.user], {input: before.missingCron.map((l) => `${l}\n`).join(''), timeoutMs: 30_000})
      changed.push(...before.missingCron.map((l) => `crontab of ${t.user}: ${l}`))
    }
    return {changed, actions: cron.manual}
  },
  async verify(ctx) {
    const {satisfied, details} = await state(ctx)
    return {satisfied, details}
  },
})
