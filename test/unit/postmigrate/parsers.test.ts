import {describe, expect, it} from 'vitest'

import {isLoopbackListen, mentions} from '../../../src/postmigrate/hooks/networking.js'
import {parseViolations} from '../../../src/postmigrate/hooks/permissions.js'
import {javaMajor} from '../../../src/postmigrate/hooks/signal.js'
import {parseTailscaleStatus} from '../../../src/postmigrate/hooks/tailscale.js'
import {parseMemoryStatus} from '../../../src/postmigrate/memory-status.js'

// `openclaw memory status --json` of 2026.9.6 (captured here, trimmed), before and after `memory index --force`.
const status = (files: number, chunks: number, dirty: boolean) => `[{"agentId":"main","status":{"backend":"builtin","files":${files},"chunks":${chunks},"dirty":true,
"sourceCounts":[{"source":"memory","files":${files},"chunks":${chunks},"chunkBytes":1168,"dirty":${dirty},"eligible":2,"issues":[]},
{"source":"sessions","files":0,"chunks":0,"chunkBytes":0,"eligible":0,"issues":["no eligible session transcripts found"]}]}}]`

describe('output parsers', () => {
  it('memory status: current only when every eligible memory file is indexed', () => {
    expect(parseMemoryStatus(status(0, 0, true))).toEqual([{agent: 'main', files: 0, chunks: 0, eligible: 2, current: false}])
    expect(parseMemoryStatus(`[memory] warn\n${status(2, 12, false)}`)).toEqual([{agent: 'main', files: 2, chunks: 12, eligible: 2, current: true}])
    expect(() => parseMemoryStatus('Error: no config')).toThrow(/did not print JSON/)
  })

  it('tailscale status --json', () => {
    const s = parseTailscaleStatus('{"BackendState":"Running","Self":{"DNSName":"box.tail1234.ts.net.","Tags":["tag:openclaw"],"TailscaleIPs":["100.64.0.7","fd7a::7"]}}')
    expect(s).toEqual({running: true, dnsName: 'box.tail1234.ts.net', tags: ['tag:openclaw'], ips: ['100.64.0.7', 'fd7a::7']})
    expect(parseTailscaleStatus('{"BackendState":"NeedsLogin","Self":{"DNSName":"","Tags":null}}').running).toBe(false)
  })

  it('java -version major', () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17)
    expect(javaMajor('openjdk version "21.0.5" 2024-10-15 LTS')).toBe(21)
    expect(javaMajor('java version "1.8.0_402"')).toBe(8)
    expect(javaMajor('sh: java: not found')).toBeUndefined()
  })

  it('listen addresses from ss / lsof', () => {
    for (const a of ['127.0.0.1:18789', '[::1]:18789', 'localhost:18789']) expect(isLoopbackListen(a), a).toBe(true)
    for (const a of ['0.0.0.0:18789', '*:18789', '[::]:18789', '10.250.0.3:18789']) expect(isLoopbackListen(a), a).toBe(false)
  })

  it('old host names as whole names only', () => {
    expect(mentions('https://ocvm-src:18789/hook', 'ocvm-src')).toBe(true)
    expect(mentions('ocvm-src2.example', 'ocvm-src')).toBe(false)
    expect(mentions('10.250.0.2', '10.250.0.2')).toBe(true)
    expect(mentions('10.250.0.20', '10.250.0.2')).toBe(false)
  })

  it('permission violations', () => {
    expect(parseViolations('/h/.openclaw/openclaw.json\tfile is not 600\n')).toEqual([{path: '/h/.openclaw/openclaw.json', problem: 'file is not 600'}])
  })
})
