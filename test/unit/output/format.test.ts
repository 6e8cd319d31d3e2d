import {describe, expect, it} from 'vitest'

import {formatBytes, formatRate} from '../../../src/output/format.js'

describe('formatBytes', () => {
  it('shows whole bytes below 1 KiB, then binary units with at most 3 figures', () => {
    expect([0, 1, 945.9459459459459, 1023].map(formatBytes)).toEqual(['0 B', '1 B', '946 B', '1023 B'])
    expect([1024, 1536, 12.34 * 1024 ** 2, 99.96 * 1024 ** 2, 150.4 * 1024 ** 3].map(formatBytes)).toEqual(['1.0 KiB', '1.5 KiB', '12.3 MiB', '100 MiB', '150 GiB'])
  })

  it('moves a value that rounds up to 1024 into the next unit', () => {
    expect(formatBytes(1024 * 1024 - 1)).toBe('1.0 MiB')
    expect(formatBytes(1023.7 * 1024)).toBe('1.0 MiB')
  })

  it('never prints NaN, Infinity or a negative size', () => {
    expect([Number.NaN, Number.POSITIVE_INFINITY, -5].map(formatBytes)).toEqual(['--', '--', '0 B'])
  })
})

describe('formatRate', () => {
  it('is a size per second', () => {
    expect(formatRate(945.9459459459459)).toBe('946 B/s')
    expect(formatRate(12.3 * 1024 ** 2)).toBe('12.3 MiB/s')
  })
})
