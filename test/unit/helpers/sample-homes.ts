import {cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import path from 'node:path'

import {REPO_ROOT} from '../../helpers/process.js'

export interface SampleHomes {
  dir: string
  /** alice's home with the sample deployment (examples/sample-deployment), its config on absolute paths. */
  oldHome: string
  /** An empty home to move it to. */
  newHome: string
  /** Puts $HOME back and removes everything. */
  cleanUp(): void
}

/**
 * A fresh temp dir holding the sample deployment as alice's old home and an empty new home, with a
 * private runs dir; $HOME is the old home, as for a user running ocvm on the gateway's own machine.
 * `absoluteSessions`: sessions.json names its transcripts by absolute path (the jsonl era).
 */
export function sampleHomes(prefix: string, options: {absoluteSessions?: boolean} = {}): SampleHomes {
  const realHome = process.env.HOME
  const dir = mkdtempSync(path.join(tmpdir(), prefix))
  process.env.OCVM_RUNS_DIR = path.join(dir, 'runs')
  const oldHome = path.join(dir, 'old/home/alice')
  const newHome = path.join(dir, 'new/home/alice')
  cpSync(path.join(REPO_ROOT, 'examples/sample-deployment/home/alice'), oldHome, {recursive: true})
  const rewrite = (file: string, from: string) => writeFileSync(file, readFileSync(file, 'utf8').replaceAll(from, from === '~/' ? `${oldHome}/` : oldHome))
  rewrite(path.join(oldHome, '.openclaw/agents.json5'), '~/')
  if (options.absoluteSessions) rewrite(path.join(oldHome, '.openclaw/agents/main/sessions/sessions.json'), '/Users/alice')
  mkdirSync(newHome, {recursive: true})
  process.env.HOME = oldHome
  return {
    dir, oldHome, newHome,
    cleanUp() {
      process.env.HOME = realHome
      rmSync(dir, {recursive: true, force: true})
    },
  }
}
