import {describe, expect, it} from 'vitest'

import {REDACTED, Redactor} from '../../../src/exec/redactor.js'

describe('Redactor', () => {
  it('redacts every occurrence of a secret', () => {
    const r = new Redactor()
    r.add('sk-ant-api03-abcdef')
    expect(r.redact('key=sk-ant-api03-abcdef and again sk-ant-api03-abcdef.')).toBe(`key=${REDACTED} and again ${REDACTED}.`)
  })

  it('redacts the longest secret first so a secret containing another goes whole', () => {
    const r = new Redactor()
    r.add('abcdef')
    r.add('abcdef-ghijkl')
    expect(r.redact('x abcdef-ghijkl y abcdef z')).toBe(`x ${REDACTED} y ${REDACTED} z`)
    // Added in the other order, same result.
    const r2 = new Redactor()
    r2.add('abcdef-ghijkl')
    r2.add('abcdef')
    expect(r2.redact('x abcdef-ghijkl y')).toBe(`x ${REDACTED} y`)
  })

  it('ignores values shorter than 6 characters, undefined, and duplicates', () => {
    const r = new Redactor()
    r.add('12345')
    r.add('on')
    r.add('')
    r.add(undefined)
    r.add('     ')
    expect(r.size).toBe(0)
    expect(r.redact('12345 on')).toBe('12345 on')
    r.add('123456')
    r.add('123456')
    expect(r.size).toBe(1)
    expect(r.redact('x123456x')).toBe(`x${REDACTED}x`)
  })

  it('trims the value before remembering it', () => {
    const r = new Redactor()
    r.add('  hunter22\n')
    expect(r.size).toBe(1)
    expect(r.redact('password: hunter22')).toBe(`password: ${REDACTED}`)
    // Length counts after trimming.
    r.add('  abc  ')
    expect(r.size).toBe(1)
  })

  it('treats secrets literally (no regex meaning)', () => {
    const r = new Redactor()
    r.add('a.b*c+d(e)$')
    expect(r.redact('aXbbbcd(e)$ a.b*c+d(e)$')).toBe(`aXbbbcd(e)$ ${REDACTED}`)
  })

  it('redactAll redacts each text and keeps the order', () => {
    const r = new Redactor()
    r.add('s3cr3t-token-value')
    expect(r.redactAll(['--token', 's3cr3t-token-value', 'x=s3cr3t-token-value', 'plain'])).toEqual(['--token', REDACTED, `x=${REDACTED}`, 'plain'])
    expect(r.redactAll([])).toEqual([])
  })
})
