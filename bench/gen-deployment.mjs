#!/usr/bin/env node
// Deterministic benchmark payload for an OpenClaw state dir (used by bench/file-migration.sh).
//
//   node bench/gen-deployment.mjs <stateDir> <files> <sessionMB> [seed]
//
// Adds, under an existing state dir (the base comes from `openclaw setup --baseline`):
//   credentials/whatsapp/default/   <files> small Baileys-like JSON files (200-600 bytes, base64 keys)
//   agents/main/archive/*.jsonl     transcripts totalling ~<sessionMB> MiB: JSON lines of text built
//                                   from a Zipf-distributed made-up vocabulary, so they compress
//                                   like real prose (neither zeros nor random bytes)
//   workspace/notes/*.md            some markdown
// Same arguments and seed => byte-identical output. Prints a JSON summary on stdout.
import {closeSync, mkdirSync, openSync, writeFileSync, writeSync} from 'node:fs'
import path from 'node:path'

const [stateDir, filesArg = '50000', mbArg = '2048', seedArg = '20260917'] = process.argv.slice(2)
if (!stateDir) {
  console.error('usage: gen-deployment.mjs <stateDir> <files> <sessionMB> [seed]')
  process.exit(2)
}
const FILES = Number(filesArg)
const SESSION_BYTES = Number(mbArg) * 1024 * 1024
let seed = Number(seedArg) >>> 0

// mulberry32: small, fast, deterministic.
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0
  let t = seed
  t = Math.imul(t ^ (t >>> 15), t | 1)
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1))
const pick = (arr) => arr[Math.floor(rand() * arr.length)]

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const HEX = '0123456789abcdef'
function b64(n) {
  let s = ''
  for (let i = 0; i < n; i++) s += B64[Math.floor(rand() * 64)]
  return s + (n % 4 === 2 ? '==' : n % 4 === 3 ? '=' : '')
}
function hex(n) {
  let s = ''
  for (let i = 0; i < n; i++) s += HEX[Math.floor(rand() * 16)]
  return s
}

// ---------------------------------------------------------------- vocabulary and sentence pool
const SYLL = ['ka', 'lo', 'mi', 're', 'to', 'sa', 'ne', 'vi', 'du', 'po', 'an', 'el', 'or', 'ing', 'ter', 'con', 'pre', 'ist', 'ment', 'tion', 'al', 'er', 'ly', 'ex', 'st', 'qu', 'fra', 'gle', 'bri', 'ch']
const COMMON = ['the', 'a', 'to', 'of', 'and', 'in', 'is', 'it', 'that', 'for', 'you', 'on', 'with', 'this', 'I', 'be', 'can', 'we', 'file', 'run', 'check', 'now', 'will', 'not', 'are', 'have', 'from', 'what', 'config', 'session', 'agent', 'the', 'then', 'if', 'so', 'just']
const vocab = [...COMMON]
while (vocab.length < 4000) {
  let w = ''
  const n = int(1, 4)
  for (let i = 0; i < n; i++) w += pick(SYLL)
  vocab.push(w)
}
// Zipf-ish: index = floor(N * u^2.2) favours the first words heavily.
const word = () => vocab[Math.floor(vocab.length * Math.pow(rand(), 2.2))]
function sentence() {
  const n = int(4, 22)
  let s = word()
  s = s[0].toUpperCase() + s.slice(1)
  for (let i = 1; i < n; i++) {
    s += ' ' + word()
    if (rand() < 0.06) s += ','
  }
  if (rand() < 0.1) s += ' ' + int(0, 99999)
  return s + pick(['.', '.', '.', '?', '!', ':'])
}
// 120k sentences (~10 MB): far larger than gzip's 32 KiB or zstd -1's window, so repeats are rare
// within a compression window, as in real text; lines are stitched from them for speed.
const POOL = Array.from({length: 120_000}, sentence)

// ---------------------------------------------------------------- WhatsApp (Baileys-like) store
const waDir = path.join(stateDir, 'credentials', 'whatsapp', 'default')
mkdirSync(waDir, {recursive: true})
writeFileSync(path.join(waDir, 'creds.json'), JSON.stringify({noiseKey: {private: b64(43), public: b64(43)}, signedIdentityKey: {private: b64(43), public: b64(43)}, registrationId: int(1, 16380), advSecretKey: b64(43), me: {id: '46700000000:12@s.whatsapp.net', name: 'bench'}, registered: true}, null, 2))
const kinds = ['pre-key', 'session', 'sender-key', 'app-state-sync-key', 'app-state-sync-version', 'lid-mapping']
let waBytes = 0
for (let i = 0; i < FILES - 1; i++) {
  const kind = kinds[i % kinds.length]
  let name
  let body
  switch (kind) {
    case 'pre-key':
      name = `pre-key-${i}.json`
      body = {keyPair: {private: b64(43), public: b64(43)}, keyId: i}
      break
    case 'session':
      name = `session-${46700000000 + i}.0.json`
      body = {_sessions: {[b64(44)]: {registrationId: int(1, 16380), currentRatchet: {rootKey: b64(43), previousCounter: int(0, 400)}, indexInfo: {baseKeyType: 2, closed: -1, used: 1726000000000 + i}}}, version: 'v1'}
      break
    case 'sender-key':
      name = `sender-key-${hex(18)}@g.us--${46700000000 + i}--0.json`
      body = [{senderKeyId: int(1, 2 ** 31), senderChainKey: {iteration: int(0, 900), seed: b64(43)}, senderSigningKey: {public: b64(44)}, senderMessageKeys: rand() < 0.5 ? [] : [{iteration: int(0, 900), seed: b64(43)}]}]
      break
    case 'app-state-sync-key':
      name = `app-state-sync-key-${b64(8).replace(/[+/=]/g, 'A')}${i}.json`
      body = {keyData: b64(43), fingerprint: {rawId: int(1, 2 ** 31), currentIndex: int(0, 40), deviceIndexes: [0, int(1, 40)]}, timestamp: String(1726000000000 + i)}
      break
    case 'app-state-sync-version':
      name = `app-state-sync-version-${pick(['regular', 'regular_low', 'regular_high', 'critical_block'])}-${i}.json`
      body = {version: int(1, 3000), hash: b64(171), indexValueMap: {[b64(43)]: {valueMac: b64(43)}}}
      break
    default:
      name = `lid-mapping-${46700000000 + i}.json`
      body = {lid: `${int(1e13, 9e13)}@lid`, pn: `${46700000000 + i}@s.whatsapp.net`, note: sentence()}
  }
  // Real Baileys files vary a lot; pad each to a random 200-600 bytes with more key material.
  const want = int(200, 600)
  let text = JSON.stringify(body)
  if (text.length + 30 < want) {
    const holder = Array.isArray(body) ? body[0] : body
    holder.signature = b64(want - text.length - 16)
    text = JSON.stringify(body)
  }
  waBytes += text.length
  writeFileSync(path.join(waDir, name), text)
}

// ---------------------------------------------------------------- transcripts
// Lines are assembled straight into a byte buffer (pool sentences pre-encoded): building them as
// JS strings and joining was 5x slower.
const archive = path.join(stateDir, 'agents', 'main', 'archive')
mkdirSync(archive, {recursive: true})
const POOL_BUF = POOL.map((s) => Buffer.from(s, 'latin1'))
const buf = Buffer.allocUnsafe(8 << 20)
let sessionBytes = 0
let sessionFiles = 0
let ts = Date.UTC(2026, 0, 1)
while (sessionBytes < SESSION_BYTES) {
  const target = Math.min(SESSION_BYTES - sessionBytes, int(1, 16) * 1024 * 1024)
  const id = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
  const fd = openSync(path.join(archive, `${id}.jsonl`), 'w')
  let written = 0
  let off = 0
  let parent = null
  const put = (str) => { off += buf.write(str, off, 'latin1') }
  while (written + off < target) {
    const msgId = hex(8)
    ts += int(200, 90_000)
    const head = `{"type":"message","id":"${msgId}","parentId":${parent ? `"${parent}"` : 'null'},"timestamp":"${new Date(ts).toISOString()}","message":`
    put(head)
    if (rand() < 0.15) {
      put(`{"role":"assistant","content":[{"type":"toolCall","id":"call_${hex(24)}","name":"${pick(['exec', 'read', 'write', 'web_search', 'memory_search'])}","arguments":{"command":"`)
      const b = POOL_BUF[Math.floor(rand() * POOL_BUF.length)]
      b.copy(buf, off)
      off += b.length
      put(`"}}],"usage":{"input":${int(100, 90000)},"output":${int(10, 4000)}}}}\n`)
    } else {
      put(`{"role":"${rand() < 0.5 ? 'user' : 'assistant'}","content":[{"type":"text","text":"`)
      for (let i = int(1, 8); i > 0; i--) {
        const b = POOL_BUF[Math.floor(rand() * POOL_BUF.length)]
        b.copy(buf, off)
        off += b.length
        if (i > 1) buf[off++] = 0x20
      }
      put('"}]}}\n')
    }
    parent = msgId
    if (off > 7 << 20) {
      writeSync(fd, buf, 0, off)
      written += off
      off = 0
    }
  }
  // Whole lines only: the file ends at most one line past its target size.
  writeSync(fd, buf, 0, off)
  written += off
  closeSync(fd)
  sessionBytes += written
  sessionFiles++
}

// ---------------------------------------------------------------- workspace markdown
const notes = path.join(stateDir, 'workspace', 'notes')
mkdirSync(notes, {recursive: true})
let mdBytes = 0
for (let i = 0; i < 200; i++) {
  let md = `# Note ${i}: ${pick(POOL)}\n\n`
  const paras = int(3, 30)
  for (let p = 0; p < paras; p++) {
    if (rand() < 0.2) md += `## ${pick(POOL)}\n\n`
    if (rand() < 0.3) {
      for (let k = int(2, 6); k > 0; k--) md += `- ${pick(POOL)}\n`
      md += '\n'
    } else {
      for (let k = int(2, 6); k > 0; k--) md += pick(POOL) + ' '
      md += '\n\n'
    }
  }
  mdBytes += md.length
  writeFileSync(path.join(notes, `${String(i).padStart(3, '0')}-${vocab[i + 40]}.md`), md)
}
let memory = '# MEMORY\n\n'
for (let i = 0; i < 300; i++) memory += `- ${pick(POOL)}\n`
writeFileSync(path.join(stateDir, 'workspace', 'MEMORY.md'), memory)

console.log(JSON.stringify({whatsappFiles: FILES, whatsappBytes: waBytes, sessionFiles, sessionBytes, markdownFiles: 201, markdownBytes: mdBytes + memory.length}))
