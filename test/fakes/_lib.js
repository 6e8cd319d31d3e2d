// Shared helpers of ocvm's FAKE hypervisor CLIs (test/fakes/lume, prlctl, multipass). These are test
// doubles of the contracts documented in /work/shared/reference/hypervisors.md, not the real tools.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const {spawnSync} = require('node:child_process')

/** Comma-separated failure/behaviour injections from an env var (e.g. OCVM_FAKE_LUME_INJECT=drift,no-ip). */
function injections(envName) {
  return new Set((process.env[envName] || '').split(',').map((s) => s.trim()).filter(Boolean))
}

/** Prints to stderr and exits with `code` (the real tools' error channel). */
function fail(code, ...lines) {
  for (const line of lines) process.stderr.write(line + '\n')
  process.exit(code)
}

function readJson(file, fallback) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'))
  } catch {
    return fallback
  }
}

function writeJson(file, value) {
  fs.mkdirSync(path.dirname(file), {recursive: true})
  fs.writeFileSync(file + '.tmp', JSON.stringify(value, null, 2))
  fs.renameSync(file + '.tmp', file)
}

/** Creates a sparse file of `bytes` apparent size (like a fresh VM disk). */
function createSparse(file, bytes) {
  const fd = fs.openSync(file, 'w')
  fs.ftruncateSync(fd, bytes)
  fs.closeSync(fd)
}

/** Bytes actually allocated on disk (what `diskSize.allocated` reports for a sparse disk). */
function allocatedBytes(file) {
  try {
    const st = fs.statSync(file)
    return st.blocks * 512
  } catch {
    return 0
  }
}

/** Copies a directory tree keeping holes (cp --sparse=always), like APFS clonefile keeps them. */
function copyTree(from, to) {
  const r = spawnSync('cp', ['-a', '--sparse=always', from, to], {stdio: 'inherit'})
  if (r.status !== 0) fail(1, `fake: cp ${from} ${to} failed`)
}

/**
 * Runs a command "inside the guest". In the fakes the guest is played by the host the fake runs on
 * (a namespace host of the test infra), so the command runs right here with the caller's stdio:
 * streaming stdin/stdout work like through the real tools' exec. Returns the exit code.
 */
function runInGuest(argv, {stdin = 'inherit'} = {}) {
  if (argv.length === 0) return 0
  const r = spawnSync(argv[0], argv.slice(1), {stdio: [stdin, 'inherit', 'inherit']})
  if (r.error) {
    process.stderr.write(`${argv[0]}: ${r.error.code === 'ENOENT' ? 'command not found' : r.error.message}\n`)
    return 127
  }
  return r.status === null ? 128 + 9 : r.status
}

/** Parses `--flag value`, `--flag=value`, `-f value` and bare flags into {flags, positional, rest after --}. */
function parseArgs(argv, {valued = [], bare = []} = {}) {
  const flags = {}
  const positional = []
  let rest = null
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') {
      rest = argv.slice(i + 1)
      break
    }
    if (a.startsWith('-') && a !== '-') {
      const eq = a.indexOf('=')
      const name = eq > 0 ? a.slice(0, eq) : a
      if (valued.includes(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i]
        if (value === undefined) return {error: `Missing value for '${name}'`}
        ;(flags[name] ??= []).push(value)
      } else if (bare.includes(name)) {
        flags[name] = [eq > 0 ? a.slice(eq + 1) : true]
      } else {
        return {error: `Unknown option '${name}'`}
      }
    } else {
      positional.push(a)
    }
  }
  return {flags, positional, rest}
}

module.exports = {injections, fail, readJson, writeJson, createSparse, allocatedBytes, copyTree, runInGuest, parseArgs}
