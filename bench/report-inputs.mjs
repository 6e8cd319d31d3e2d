// Shared by the bench report scripts: their three arguments, the run's meta.json and its
// results.jsonl (one measurement per line).
import {readFileSync} from 'node:fs'
import path from 'node:path'

/** @returns {{meta: any, runs: any[], outFile: string}} */
export function readReportInputs(argv) {
  const [metaFile, resultsFile, outFile] = argv.slice(2)
  if (!metaFile || !resultsFile || !outFile) {
    console.error(`usage: ${path.basename(argv[1] ?? 'report.mjs')} <meta.json> <results.jsonl> <out.json>`)
    process.exit(2)
  }
  const meta = JSON.parse(readFileSync(metaFile, 'utf8'))
  const runs = readFileSync(resultsFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
  return {meta, runs, outFile}
}
