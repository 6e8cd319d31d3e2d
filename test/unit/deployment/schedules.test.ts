import {describe, expect, it} from 'vitest'

import {parseCrontab, schedulePurpose} from '../../../src/deployment/schedules.js'

// The guide's examples (phase-7-migration.md), with the GITHUB_TOKEN line "at the top".
const PRUNE = '0 3 * * * find /Users/openclaw/.openclaw/agents/*/sessions -name "*.jsonl" -mtime +30 -delete'
const IMAGE_GEN = '0 4 * * * find /tmp/openclaw-image-gen -type f -mtime +7 -delete 2>/dev/null'
const GIT_SYNC = '0 0 * * * cd /Users/openclaw/.openclaw/workspaces/main && git add -A && git commit -m "auto-backup $(date +\\%Y-\\%m-\\%d)" && git push 2>/dev/null'
const TOKEN_VALUE = 'github_pat_11ABCDEFG0123456789_abcdefghijklmnop'
const CRONTAB = `# Edit this file to introduce tasks to be run by cron.
GITHUB_TOKEN=${TOKEN_VALUE}
SHELL=/bin/bash
MAILTO = ""

# m h  dom mon dow   command
${PRUNE}
   ${IMAGE_GEN}

${GIT_SYNC}
*/5 * * * * /usr/local/bin/backup-photos.sh
`

describe('parseCrontab', () => {
  it("keeps the guide's jobs, names their purposes and reduces assignments to names", () => {
    const tab = parseCrontab(CRONTAB, () => true)
    expect(tab).toEqual({
      lines: [PRUNE, IMAGE_GEN, GIT_SYNC, '*/5 * * * * /usr/local/bin/backup-photos.sh'],
      envKeys: ['GITHUB_TOKEN', 'SHELL', 'MAILTO'],
      purpose: ['session-pruning', 'temp-cleanup', 'workspace-git-sync', 'other'],
    })
    expect(JSON.stringify(tab)).not.toContain(TOKEN_VALUE)
    expect(JSON.stringify(tab)).not.toContain('github_pat')
  })

  it('applies the filter to job lines (not to assignments)', () => {
    const tab = parseCrontab(CRONTAB, (line) => /openclaw/i.test(line))
    expect(tab.lines).toEqual([PRUNE, IMAGE_GEN, GIT_SYNC])
    expect(tab.envKeys).toEqual(['GITHUB_TOKEN', 'SHELL', 'MAILTO'])
    const seen: string[] = []
    parseCrontab(CRONTAB, (line) => {
      seen.push(line)
      return false
    })
    expect(seen).toHaveLength(4)
    expect(seen.some((l) => l.startsWith('#') || l.includes('GITHUB_TOKEN'))).toBe(false)
  })

  it('masks credentials written inline in a job line', () => {
    const tab = parseCrontab(`0 1 * * * GITHUB_TOKEN=${TOKEN_VALUE} cd /w && git push https://bot:${TOKEN_VALUE}@github.com/o/r.git\n`, () => true)
    expect(tab.lines).toEqual(['0 1 * * * GITHUB_TOKEN=*** cd /w && git push https://bot:***@github.com/o/r.git'])
    expect(JSON.stringify(tab)).not.toContain(TOKEN_VALUE)
    expect(tab.purpose).toEqual(['workspace-git-sync'])
  })

  it("returns no lines and purpose 'other' for an empty or comment-only crontab", () => {
    expect(parseCrontab('', () => true)).toEqual({lines: [], envKeys: [], purpose: ['other']})
    expect(parseCrontab('# nothing\n\n   \n#0 0 * * * git push\n', () => true)).toEqual({lines: [], envKeys: [], purpose: ['other']})
  })

  it('deduplicates purposes', () => {
    expect(parseCrontab(`${PRUNE}\n${PRUNE.replace('+30', '+60')}\n`, () => true).purpose).toEqual(['session-pruning'])
  })
})

describe('schedulePurpose', () => {
  it.each([
    [PRUNE, 'session-pruning'],
    ['@daily find ~/.openclaw/agents/main/sessions -mtime +14 -exec rm {} +', 'session-pruning'],
    [IMAGE_GEN, 'temp-cleanup'],
    ['0 4 * * * rm -rf "$TMPDIR"/openclaw-image-gen/*', 'temp-cleanup'],
    [GIT_SYNC, 'workspace-git-sync'],
    ['0 * * * * cd ~/w && git push', 'workspace-git-sync'],
    ['0 0 * * * /usr/sbin/logrotate /etc/logrotate.d/openclaw', 'log-rotation'],
    ['*/5 * * * * /usr/local/bin/backup-photos.sh', 'other'],
    ['0 0 * * * openclaw doctor', 'other'],
  ])('%s -> %s', (line, purpose) => {
    expect(schedulePurpose(line)).toBe(purpose)
  })
})
