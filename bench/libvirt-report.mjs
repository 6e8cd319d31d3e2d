#!/usr/bin/env node
// Aggregates bench/libvirt-migration.sh measurements: medians, ratios, the issue's targets. Writes
// the full JSON and prints a markdown summary.
//
//   node bench/libvirt-report.mjs <meta.json> <results.jsonl> <out.json>
import {writeFileSync} from 'node:fs'

import {readReportInputs} from './report-inputs.mjs'

const {meta, runs, outFile} = readReportInputs(process.argv)

const median = (xs) => {
  const s = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b)
  if (s.length === 0) return null
  const m = Math.floor(s.length / 2)
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
// A run counts only if it succeeded and the target holds the source's bytes.
const good = (name) => runs.filter((r) => r.method === name && r.exitCode === 0 && r.check.status === 'ok')

const LABELS = {
  ocvm: 'ocvm migrate --driver libvirt (sparse canonical tar piped from ssh to ssh, zstd only if it pays, SHA-256 on the source and re-read on the target)',
  guide: "guide's recipe: vol-download, scp -3, vol-create-as + vol-upload (not sparse)",
  raw: 'raw pipe of the data only: ssh cat \\| ssh cat, ssh\'s default ciphers (the floor)',
  'raw-aes': 'the same raw pipe with the ciphers ocvm asks for (AES-GCM first)',
}
const methods = {}
for (const name of Object.keys(LABELS)) {
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
const OCVMS = ['ocvm'].filter((n) => methods[n])
for (const name of OCVMS) {
  const ok = good(name)
  methods[name].medianToImportSeconds = median(ok.map((r) => r.extra?.toImportSeconds))
  const stepNames = [...new Set(ok.flatMap((r) => Object.keys(r.extra?.steps ?? {})))]
  methods[name].steps = Object.fromEntries(stepNames.map((n) => [n, median(ok.map((r) => r.extra.steps[n]))]))
}
const phases = Object.fromEntries(['download', 'copy', 'upload'].map((p) => [p, median(good('guide').map((r) => r.extra?.phases?.[p]))]))

const guideS = methods.guide?.medianSeconds ?? null
const rawS = methods.raw?.medianSeconds ?? null
const rawAesS = methods['raw-aes']?.medianSeconds ?? null
const div = (a, b) => (a !== null && b !== null && b > 0 ? a / b : null)
const ratios = Object.fromEntries(OCVMS.map((n) => {
  const m = methods[n]
  return [n, {guideOverToImport: div(guideS, m.medianToImportSeconds), guideOverTotal: div(guideS, m.medianSeconds), toImportOverRaw: div(m.medianToImportSeconds, rawS), totalOverRaw: div(m.medianSeconds, rawS), toImportOverRawAes: div(m.medianToImportSeconds, rawAesS)}]
}))
const targets = OCVMS.flatMap((n) => {
  const r = ratios[n]
  const kb = methods[n].medianPeakRssKb
  return [
    {method: n, target: "at least 10x faster than the guide's recipe (disk on the target, domain defined)", value: r.guideOverToImport, text: (v) => `guide / ${n} = ${v.toFixed(1)}x`, met: r.guideOverToImport !== null && r.guideOverToImport >= 10},
    {method: n, target: 'within 1.3x of the raw pipe of the data (same point)', value: r.toImportOverRaw, text: (v) => `${n} / raw = ${v.toFixed(2)}x`, met: r.toImportOverRaw !== null && r.toImportOverRaw <= 1.3},
    {method: n, target: 'within 1.3x of the raw pipe with the same ssh ciphers as ocvm (same point)', value: r.toImportOverRawAes, text: (v) => `${n} / raw-aes = ${v.toFixed(2)}x`, met: r.toImportOverRawAes !== null && r.toImportOverRawAes <= 1.3},
    {method: n, target: 'peak memory under 200 MB', value: kb, text: (v) => `${(v / 1024).toFixed(0)} MiB peak RSS`, met: kb !== null && kb * 1024 < 200e6},
  ]
})

writeFileSync(outFile, JSON.stringify({meta, methods, guidePhases: phases, ratios, targets: targets.map(({text, ...t}) => t), runs}, null, 2) + '\n')

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
  const s = OCVMS.includes(name) ? `${f(r.medianToImportSeconds)} to the domain defined; ${f(r.medianSeconds)} in all` : f(r.medianSeconds)
  lines.push(`| ${r.label} | ${s} | ${r.seconds.map((x) => x.toFixed(1)).join(', ')} | ${fmtBytes(r.medianWireBytes)} | ${fmtBytes(r.medianTargetAllocated)} | ${r.medianPeakRssKb === null ? '—' : `${(r.medianPeakRssKb / 1024).toFixed(0)} MiB`} | ${[...new Set(r.checks)].join('/')} |`)
}
for (const n of OCVMS) {
  const r = ratios[n]
  lines.push('', `${n}: guide / ${n} = ${f(r.guideOverToImport, 1)}x to the domain defined (${f(r.guideOverTotal, 1)}x against the whole command, which also starts the guest and waits for its agent); ${n} / raw = ${f(r.toImportOverRaw)}x (${f(r.totalOverRaw)}x whole command); ${n} / raw-aes = ${f(r.toImportOverRawAes)}x. Steps (median s): ${Object.entries(methods[n].steps).map(([k, v]) => `${k} ${f(v)}`).join(', ')}.`)
}
if (methods.guide) lines.push('', `guide phases (median s): vol-download ${f(phases.download)}, scp ${f(phases.copy)}, vol-create-as + vol-upload ${f(phases.upload)}.`)
lines.push('')
lines.push('| method | target | measured | met? |')
lines.push('|---|---|---|---|')
for (const t of targets) lines.push(`| ${t.method} | ${t.target} | ${t.value === null ? '—' : t.text(t.value)} | ${t.met ? 'met' : '**not met**'} |`)
console.log(lines.join('\n'))
