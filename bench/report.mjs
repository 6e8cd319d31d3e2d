#!/usr/bin/env node
// Aggregates bench/file-migration.sh measurements: medians, ratios against ocvm, the project's
// targets. Writes the full JSON and prints a markdown summary.
//
//   node bench/report.mjs <meta.json> <results.jsonl> <out.json>
import {writeFileSync} from 'node:fs'

import {readReportInputs} from './report-inputs.mjs'

const {meta, runs, outFile} = readReportInputs(process.argv)

const LABELS = {
  ocvm: 'ocvm migrate (tar\\|zstd -1 relay, SHA-256 both ends)',
  delta: 'ocvm re-run, same command (source re-listed: no-op)',
  change: 'ocvm --force after a small source change (delta)',
  guide: 'guide recipe (tar czf, scp -3, tar xzf, chown, sed)',
  rsync: 'rsync -a src→dst direct (one hop)',
  backup: 'openclaw backup create --verify / restore',
  raw: 'raw ssh pipe: tar cf - \\| tar xf - (floor)',
}
const ORDER = ['ocvm', 'delta', 'change', 'guide', 'rsync', 'backup', 'raw']

const median = (xs) => {
  if (xs.length === 0) return null
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

const methods = {}
for (const name of ORDER) {
  const all = runs.filter((r) => r.method === name)
  if (all.length === 0) continue
  // A run only counts if the command succeeded and the copy checked out (or is knowingly partial).
  const good = all.filter((r) => r.exitCode === 0 && r.check.status !== 'failed')
  methods[name] = {
    label: LABELS[name],
    runs: all.length,
    goodRuns: good.length,
    seconds: all.map((r) => r.seconds),
    medianSeconds: median(good.map((r) => r.seconds)),
    medianWireBytes: median(good.map((r) => r.wireBytes).filter((x) => typeof x === 'number')),
    medianPeakRssKb: median(good.map((r) => r.peakRssKb).filter((x) => typeof x === 'number')),
    check: all.map((r) => r.check.status),
    targetFiles: good[0]?.check.files ?? null,
    targetBytes: good[0]?.check.bytes ?? null,
    configRewritten: good[0]?.check.configRewritten ?? null,
    problems: [...new Set(all.map((r) => r.check.problems).filter(Boolean))],
  }
}

// ocvm's own step timings (median per step over its good runs).
const ocvmRuns = runs.filter((r) => r.method === 'ocvm' && r.exitCode === 0 && r.check.status !== 'failed')
const stepNames = [...new Set(ocvmRuns.flatMap((r) => Object.keys(r.extra?.steps ?? {})))]
const ocvmSteps = Object.fromEntries(stepNames.map((n) => [n, median(ocvmRuns.map((r) => r.extra.steps[n]).filter((x) => typeof x === 'number'))]))
const stepSum = Object.values(ocvmSteps).reduce((a, b) => a + (b ?? 0), 0)

const base = methods.ocvm?.medianSeconds ?? null
const ratio = (name) => (base && methods[name]?.medianSeconds ? methods[name].medianSeconds / base : null)

const targets = []
if (methods.ocvm && methods.guide) {
  const r = ratio('guide')
  targets.push({target: 'ocvm at least 2x faster than the guide recipe', value: r === null ? null : `guide/ocvm = ${r.toFixed(2)}x`, met: r !== null && r >= 2})
}
if (methods.ocvm) {
  const kb = methods.ocvm.medianPeakRssKb
  targets.push({target: 'ocvm peak memory under 200 MB', value: kb === null ? null : `${(kb / 1024).toFixed(0)} MiB peak RSS`, met: kb !== null && kb < 200 * 1024})
}
if (methods.ocvm && methods.delta) {
  const r = ratio('delta')
  targets.push({target: 'delta re-run under 10% of the first run', value: r === null ? null : `${(r * 100).toFixed(1)}% (${methods.delta.medianSeconds.toFixed(2)} s)`, met: r !== null && r < 0.1})
}
// Not the issue's wording (that is an unchanged deployment, above) but what a user re-running after
// a day of use sees: two files changed, --force.
if (methods.ocvm && methods.change) {
  const r = ratio('change')
  targets.push({target: 're-run after a small change (--force) under 10% of the first run', value: r === null ? null : `${(r * 100).toFixed(1)}% (${methods.change.medianSeconds.toFixed(2)} s)`, met: r !== null && r < 0.1})
}

const out = {meta, methods, ratiosVsOcvm: Object.fromEntries(Object.keys(methods).map((n) => [n, ratio(n)])), ocvmSteps, ocvmStepsSumSeconds: stepSum, targets, runs}
writeFileSync(outFile, JSON.stringify(out, null, 2) + '\n')

// ------------------------------------------------------------------------------------ markdown
const fmtBytes = (b) => (b === null || b === undefined ? '—' : b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(2)} GiB` : b >= 1024 ** 2 ? `${(b / 1024 ** 2).toFixed(0)} MiB` : `${(b / 1024).toFixed(0)} KiB`)
const lines = []
const m = meta
lines.push(`### ${m.date} — ${m.files} small files + ${m.sessionMB} MiB transcripts (${m.source.files} files, ${fmtBytes(m.source.bytes)}), median of ${m.repeat}`)
lines.push('')
lines.push('| method | median s | runs (s) | time vs ocvm | bytes on the wire | files on target | peak RSS | check |')
lines.push('|---|---:|---|---:|---:|---:|---:|---|')
for (const [name, r] of Object.entries(methods)) {
  const rt = ratio(name)
  const vs = name === 'ocvm' ? '1.00' : rt === null ? '—' : name === 'delta' || name === 'change' ? `${(rt * 100).toFixed(1)}%` : `${rt.toFixed(2)}x`
  const checks = [...new Set(r.check)].join('/')
  const rss = r.medianPeakRssKb === null ? '—' : `${(r.medianPeakRssKb / 1024).toFixed(0)} MiB`
  const wire = name === 'delta' ? 'no payload' : fmtBytes(r.medianWireBytes)
  lines.push(`| ${r.label} | ${r.medianSeconds === null ? 'failed' : r.medianSeconds.toFixed(2)} | ${r.seconds.map((s) => s.toFixed(1)).join(', ')} | ${vs} | ${wire} | ${r.targetFiles ?? '—'} | ${rss} | ${checks}${r.configRewritten === false ? ', config not rewritten' : ''} |`)
}
lines.push('')
lines.push('"time vs ocvm" is method time / ocvm time: above 1 means ocvm is faster. Peak RSS is the local ocvm process (GNU time %M).')
if (stepNames.length) {
  lines.push('')
  lines.push(`ocvm steps (median s): ${Object.entries(ocvmSteps).map(([n, s]) => `${n} ${s?.toFixed(2)}`).join(', ')}; outside the steps (start-up, preflight, final inspect): ${base === null ? '?' : (base - stepSum).toFixed(2)}`)
}
for (const name of ['guide', 'backup']) {
  const good = runs.filter((r) => r.method === name && r.exitCode === 0 && r.extra?.phases)
  if (good.length === 0) continue
  const phase = (p) => median(good.map((r) => r.extra.phases[p]))?.toFixed(2)
  lines.push('', `${name} phases (median s): pack ${phase('pack')}, copy ${phase('copy')}, unpack ${phase('unpack')}`)
}
lines.push('')
lines.push('| target | measured | met? |')
lines.push('|---|---|---|')
for (const t of targets) lines.push(`| ${t.target} | ${t.value ?? '—'} | ${t.met ? 'met' : '**not met**'} |`)
for (const [name, r] of Object.entries(methods)) if (r.problems.length) lines.push('', `${name}: ${r.problems.join('; ')}`)
console.log(lines.join('\n'))
