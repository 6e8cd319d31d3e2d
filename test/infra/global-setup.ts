// vitest globalSetup for the "integration" project: brings up the sshd test hosts before any test
// file runs and tears them down afterwards.
//
// If the infra can't start, this throws with the scripts' output, so the run FAILS: integration
// tests must never be silently skipped.
//
// Env knobs: OCVM_KEEP_INFRA=1 leaves the hosts up after the run (to poke at them with
// `ssh -F /var/lib/ocvm-test/ssh/ssh_config ocvm-src`); OCVM_SKIP_PROVISION=1 skips provision.sh
// (which `npm test` has already run; when warm it takes well under a second).
import {spawn} from 'node:child_process'
import path from 'node:path'
import type {TestProject} from 'vitest/node'

import {infra, REPO_ROOT, type InfraInfo} from './hosts.js'

const INFRA_DIR = path.join(REPO_ROOT, 'test/infra')

function runScript(script: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(INFRA_DIR, script), ...args], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', (error) => {
      clearTimeout(timer)
      reject(new Error(`could not run ${script}: ${error.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) {
        resolve()
      } else {
        const why = signal ? `was killed by ${signal} (timeout ${timeoutMs} ms?)` : `exited ${code}`
        reject(new Error(`test infra: bash test/infra/${script} ${args.join(' ')} ${why}\n${output}`))
      }
    })
  })
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    throw new Error('integration tests need root (network namespaces, sshd, useradd)')
  }
  if (process.env.OCVM_SKIP_PROVISION !== '1') {
    await runScript('provision.sh', [], 15 * 60_000)
  }
  await runScript('hosts.sh', ['up'], 120_000)

  const info: InfraInfo = infra()
  // Test workers are started after this and inherit these (checked with vitest 3's default forks
  // pool), but that is an implementation detail: helpers read infra.json via infra(), and tests may
  // also use inject('ocvmInfra').
  process.env.OCVM_SSH_CONFIG = info.sshConfig
  process.env.OCVM_INFRA_ROOT = info.root
  process.env.OCVM_HOSTS = info.hosts.map((h) => h.name).join(' ')
  process.env.OCVM_TEST_CACHE = info.cacheDir
  project.provide('ocvmInfra', info)

  return async () => {
    if (process.env.OCVM_KEEP_INFRA === '1') return
    await runScript('hosts.sh', ['down'], 120_000)
  }
}
