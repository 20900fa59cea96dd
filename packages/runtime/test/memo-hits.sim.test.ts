import { describe, expect, it } from 'vitest'
import { SimSwarm } from './support/sim-swarm.ts'

const QUIET = { minDelayMs: 1, maxDelayMs: 5, dropRate: 0, reorderRate: 0 }

/**
 * A memoized call answered from the cache takes its entry from the plan's
 * lookup and its result bytes from the value store at hand, decoding them on
 * a fast path: each hit still gets a value of its own, right to the bit.
 */
describe('memoized hits', () => {
  it('give every caller a fresh copy of an object result, and execute nothing', async () => {
    const sim = new SimSwarm({ seed: 7, donors: 0, conditions: QUIET, taskDurationMs: [5, 5] })
    const host = sim.host('host', 1)
    const describeX = host.pure(({ x }: { x: number }) => ({ x, half: x / 2, neg: -x, tags: ['a', 'b'], none: null, big: 2 ** 40 + 0.5 }), { name: 'describe-x' })
    const first = await sim.settle(describeX({ x: 3 }))
    const executed = host.status().executed
    const hitsBefore = host.status().cacheHits
    const second = await sim.settle(describeX({ x: 3 }))
    expect(second).toEqual({ x: 3, half: 1.5, neg: -3, tags: ['a', 'b'], none: null, big: 2 ** 40 + 0.5 })
    second.tags.push('changed by the caller')
    second.half = 99
    const third = await sim.settle(describeX({ x: 3 }))
    expect(third).toEqual(first)
    expect(third === second || third.tags === second.tags).toBe(false)
    expect(host.status().executed).toBe(executed)
    expect(host.status().cacheHits).toBe(hitsBefore + 2)
  })

  it('read results of every kind back as they were returned: -0, NaN, undefined fields, non-ASCII text, bigints, typed arrays, blobs', async () => {
    const sim = new SimSwarm({ seed: 8, donors: 0, conditions: QUIET, taskDurationMs: [5, 5] })
    const host = sim.host('host', 1)
    const make = host.pure(
      ({ kind }: { kind: number }) =>
        [-0, NaN, { a: undefined, b: 1 }, 'héllo \uFEFF', 2n ** 70n, new Float64Array([1.5, -2]), new Uint8Array(4_000).fill(7), 1e300, 65_536, -65_537][kind],
      { name: 'make' },
    )
    for (let kind = 0; kind < 10; kind++) {
      const computed = await sim.settle(make({ kind }))
      const hit = await sim.settle(make({ kind }))
      expect(hit, `kind ${kind}`).toStrictEqual(computed)
      if (typeof hit === 'number') expect(Object.is(hit, computed), `kind ${kind}`).toBe(true)
    }
    expect(host.status().cacheHits).toBeGreaterThanOrEqual(10)
  })

  it('rethrow a cached failure under its name on every hit', async () => {
    const sim = new SimSwarm({ seed: 9, donors: 0, conditions: QUIET, taskDurationMs: [5, 5] })
    const host = sim.host('host', 1)
    const fail = host.pure(({ x }: { x: number }) => {
      if (x > 0) throw new RangeError(`x = ${x} is out of range`)
      return x
    }, { name: 'fail' })
    await expect(sim.settle(fail({ x: 1 }))).rejects.toMatchObject({ name: 'RangeError', message: 'x = 1 is out of range' })
    const executed = host.status().executed
    await expect(sim.settle(fail({ x: 1 }))).rejects.toMatchObject({ name: 'RangeError', message: 'x = 1 is out of range' })
    expect(host.status().executed).toBe(executed)
  })
})
