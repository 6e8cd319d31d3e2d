import {describe, expect, it} from 'vitest'

import {etimeSeconds, listeningNow} from '../../../src/verify/whatsapp-listening.js'

const now = Date.parse('2026-12-07T10:40:00Z') / 1000
const line = (iso: string) => `L ${iso} [whatsapp] Listening for personal WhatsApp inbound messages`

describe('etimeSeconds (ps etime, Linux and macOS)', () => {
  it('reads mm:ss, hh:mm:ss and dd-hh:mm:ss', () => {
    expect(etimeSeconds('05:09')).toBe(309)
    expect(etimeSeconds('01:00:00')).toBe(3600)
    expect(etimeSeconds('2-03:04:05')).toBe(2 * 86_400 + 3 * 3600 + 4 * 60 + 5)
    expect(etimeSeconds('  00:07 ')).toBe(7)
    expect(etimeSeconds('soon')).toBeUndefined()
  })
})

describe('listeningNow: only what the running gateway said counts', () => {
  it('a line after the gateway started: listening', () => {
    // Started 5 minutes ago (its oldest process), said it at 10:36.
    expect(listeningNow([`N ${now}`, 'E 05:00', 'E 04:58', line('2026-12-07T10:36:46.076+00:00')].join('\n'))).toBe('listening')
  })
  it('only lines from before it started (a log copied from the source): silent', () => {
    expect(listeningNow([`N ${now}`, 'E 01:00', line('2026-12-01T08:00:00.000+00:00'), line('2026-12-07T10:38:00.000+00:00')].join('\n'))).toBe('silent')
  })
  it('no gateway of the user runs: whatever the logs say', () => {
    expect(listeningNow([`N ${now}`, line('2026-12-07T10:39:59.000+00:00')].join('\n'))).toBe('no-gateway')
  })
  it('a timestamp in another offset is compared as the instant it is', () => {
    expect(listeningNow([`N ${now}`, 'E 10:00', line('2026-12-07T11:35:00.000+01:00')].join('\n'))).toBe('listening')
  })
})
