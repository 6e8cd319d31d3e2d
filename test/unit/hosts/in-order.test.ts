import {describe, expect, it} from 'vitest'

import {settledInOrder} from '../../../src/hosts/in-order.js'
import {Slots} from '../../../src/hosts/shell.js'

const later = <T>(ms: number, value: T, fail = false) => new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(value) : resolve(value)), ms))

describe('settledInOrder', () => {
  it('returns every value in the order given', async () => {
    expect(await settledInOrder([later(20, 'a'), later(1, 2), Promise.resolve(undefined)] as const)).toEqual(['a', 2, undefined])
  })

  it('throws the first failure in the order given, after everything settled', async () => {
    let lateDone = false
    const result = settledInOrder([later(5, 'ok'), later(30, new Error('first in order'), true), later(1, new Error('first to fail'), true), later(40, 'x').then(() => (lateDone = true))] as const)
    await expect(result).rejects.toThrow('first in order')
    expect(lateDone).toBe(true)
  })
})

describe('Slots', () => {
  it('runs at most `size` tasks at once, the others in arrival order', async () => {
    const slots = new Slots(2)
    let running = 0
    let peak = 0
    const started: number[] = []
    const task = (i: number) => slots.run(async () => {
      started.push(i)
      running++
      peak = Math.max(peak, running)
      await later(5, null)
      running--
      return i
    })
    expect(await Promise.all([0, 1, 2, 3, 4].map(task))).toEqual([0, 1, 2, 3, 4])
    expect(peak).toBe(2)
    expect(started).toEqual([0, 1, 2, 3, 4])
  })

  it('frees the slot when a task fails', async () => {
    const slots = new Slots(1)
    await expect(slots.run(() => later(1, new Error('no'), true))).rejects.toThrow('no')
    expect(await slots.run(async () => 'next')).toBe('next')
  })
})
