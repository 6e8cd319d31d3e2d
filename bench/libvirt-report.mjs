#!/usr/bin/env node
// Aggregates bench/libvirt-migration.sh measurements: medians, ratios, the issue's targets. Writes
// the full JSON and prints a markdown summary.
//
//   node bench/libvirt-report.mjs <meta.json> <results.jsonl> <out.json>
import {readFileSync, writeFileSync} from 'node:fs'

const [metaFile, resultsFile, outFile] = process.argv.slice(2)
if (!metaFile || !resultsFile || !outFile) {
  console.error('usage: libvirt-report.mjs <meta.json> <results.jsonl> <out.json>')
  process.exit(2)
}
const meta = JSON.parse(readFileSync(metaFile, 'utf8'))
const runs = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b)
  if (s.length === 0) return null
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
// A run counts only if it succeeded and the target holds the source's bytes.
const good = (name) => runs.filter((r) => r.method === name && r.exitCode === 0 && r.check.status === 'ok')

const LABELS = {
  ocvm: 'ocvm migrate --driver libvirt (sparse tar | zstd -1 relay, SHA-256 on both ends)',
  guide: "guide's recipe: vol-download, scp -3, vol-create-as + vol-upload (not sparse)",
  raw: 'raw pipe of the data only: ssh cat | ssh cat (the floor)',
}
const methods = {}
for (const name of ['ocvm', 'guide', 'raw']) {
  const all = runs.filter((r) => r.method === name)
  if (all.length === 0) continue
  const ok = good(name)
  methods[name] = {
    label: LABELS[name],
    runs: all.length,
    goodRuns: ok.length,
    seconds: all.map((r) => r.seconds),
    medianSeconds: median(ok.map((r) => r.seconds)),
    medianWireBytes: median(ok.map((r) => r.wireBytes)),
    medianPeakRssKb: median(ok.map((r) => r.peakRssKb)),
    medianTargetAllocated: median(ok.map((r) => r.check.targetAllocated)),
    checks: all.map((r) => r.check.status),
  }
}
const ocvmOk = good('ocvm')
const toImport = median(ocvmOk.map((r) => r.extra?.toImportSeconds))
if (methods.ocvm) methods.ocvm.medianToImportSeconds = toImport
const stepNames = [...new Set(ocvmOk.flatMap((r) => Object.keys(r.extra?.steps ?? {})))]
const ocvmSteps = Object.fromEntries(stepNames.map((n) => [n, median(ocvmOk.map((r) => r.extra.steps[n]))]))
const phases = Object.fromEntries(['download', 'copy', 'upload'].map((p) => [p, median(good('guide').map((r) => r.extra?.phases?.[p]))]))

const guideS = methods.guide?.medianSeconds ?? null
const rawS = methods.raw?.medianSeconds ?? null
const ocvmS = methods.ocvm?.medianSeconds ?? null
const div = (a, b) => (a !== null && b !== null && b > 0 ? a / b : null)
const ratios = {
  guideOverOcvmToImport: div(guideS, toImport),
  guideOverOcvmTotal: div(guideS, ocvmS),
  ocvmToImportOverRaw: div(toImport, rawS),
  ocvmTotalOverRaw: div(ocvmS, rawS),
}
const kb = methods.ocvm?.medianPeakRssKb ?? null
const targets = [
  {target: "ocvm at least 10x faster than the guide's recipe (disk on the target, domain defined)", value: ratios.guideOverOcvmToImport, text: (v) => `guide / ocvm = ${v.toFixed(1)}x`, met: ratios.guideOverOcvmToImport !== null && ratios.guideOverOcvmToImport >= 10},
  {target: 'ocvm within 1.3x of the raw pipe of the data (same point)', value: ratios.ocvmToImportOverRaw, text: (v) => `ocvm / raw = ${v.toFixed(2)}x`, met: ratios.ocvmToImportOverRaw !== null && ratios.ocvmToImportOverRaw <= 1.3},
  {target: 'ocvm peak memory under 200 MB', value: kb, text: (v) => `${(v / 1024).toFixed(0)} MiB peak RSS`, met: kb !== null && kb * 1024 < 200e6},
]

writeFileSync(outFile, JSON.stringify({meta, methods, ocvmSteps, guidePhases: phases, ratios, targets: targets.map(({text, ...t}) => t), runs}, null, 2) + '\n')

const GiB = 1024 ** 3
const fmtBytes = (b) => (b === null || b === undefined ? '—' : b >= GiB ? `${(b / GiB).toFixed(2)} GiB` : `${(b / 1024 ** 2).toFixed(0)} MiB`)
const f = (x, d = 2) => (x === null || x === undefined ? '—' : x.toFixed(d))
const lines = []
lines.push(`### ${meta.date}: a ${meta.diskGB} GiB ${meta.format} disk holding ${meta.dataMB} MiB of random data (${meta.extents} runs), median of ${meta.repeat}`)
lines.push('')
lines.push(`Source volume: ${fmtBytes(meta.source.apparentBytes)} apparent, ${fmtBytes(meta.source.allocatedBytes)} allocated.`)
lines.push('')
lines.push('| method | median s | runs (s) | bytes moved | allocated on the target | peak RSS | check |')
lines.push('|---|---:|---|---:|---:|---:|---|')
for (const [name, r] of Object.entries(methods)) {
  const s = name === 'ocvm' ? `${f(r.medianToImportSeconds)} to the domain defined; ${f(r.medianSeconds)} in all` : f(r.medianSeconds)
  lines.push(`| ${r.label} | ${s} | ${r.seconds.map((x) => x.toFixed(1)).join(', ')} | ${fmtBytes(r.medianWireBytes)} | ${fmtBytes(r.medianTargetAllocated)} | ${r.medianPeakRssKb === null ? '—' : `${(r.medianPeakRssKb / 1024).toFixed(0)} MiB`} | ${[...new Set(r.checks)].join('/')} |`)
}
lines.push('')
lines.push(`Ratios: guide / ocvm = ${f(ratios.guideOverOcvmToImport, 1)}x to the domain defined (${f(ratios.guideOverOcvmTotal, 1)}x against ocvm's whole command, which also starts the guest and waits for its agent); ocvm / raw = ${f(ratios.ocvmToImportOverRaw)}x (${f(ratios.ocvmTotalOverRaw)}x whole command).`)
if (stepNames.length) lines.push('', `ocvm steps (median s): ${Object.entries(ocvmSteps).map(([n, s]) => `${n} ${f(s)}`).join(', ')}.`)
if (methods.guide) lines.push('', `guide phases (median s): vol-download ${f(phases.download)}, scp ${f(phases.copy)}, vol-create-as + vol-upload ${f(phases.upload)}.`)
lines.push('')
lines.push('| target | measured | met? |')
lines.push('|---|---|---|')
for (const t of targets) lines.push(`| ${t.target} | ${t.value === null ? '—' : t.text(t.value)} | ${t.met ? 'met' : '**not met**'} |`)
console.log(lines.join('\n'))
