import { describe, expect, it } from 'vitest'
import { ParallelError } from '@tessera/core'
import { SimSwarm } from './support/sim-swarm.ts'

const CALM = { minDelayMs: 2, maxDelayMs: 10, dropRate: 0, reorderRate: 0 }

describe('failures: the results that succeeded, and retrying the ones that did not', () => {
  it('ParallelError carries every computed result at its index, with holes where calls failed', async () => {
    const sim = new SimSwarm({ seed: 16, donors: 3, conditions: CALM, taskDurationMs: [5, 20] })
    const host = sim.host('host')
    const half = host.pure(
      ({ x }: { x: number }) => {
        if (x % 3 === 0) throw new RangeError(`no thirds: ${x}`)
        return x / 2
      },
      { name: 'half' },
    )
    const error = await sim.settle(half.parallel([1, 2, 3, 4, 6].map((x) => ({ x })))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ParallelError)
    const failed = error as ParallelError<number>
    expect(failed.failures.map((f) => f.index)).toEqual([2, 4])
    expect(failed.results).toHaveLength(5)
    expect([0, 1, 3].map((i) => failed.results[i])).toEqual([0.5, 1, 2])
    expect(2 in failed.results).toBe(false)
    expect(4 in failed.results).toBe(false)
    await sim.close([host])
  })

  it('retryFailed forgets cached failures and runs those calls again; values stay cached', async () => {
    const sim = new SimSwarm({ seed: 17, donors: 0, conditions: CALM, taskDurationMs: [40, 60] })
    let runs = 0
    for (let i = 0; i < 3; i++) sim.addDonor(() => (runs++, true))
    const host = sim.host('host')
    const args = [1, 2, 3, 4].map((x) => ({ x }))
    const tens = ({ x }: { x: number }) => {
      if (x % 2 === 1) throw new RangeError(`odd: ${x}`)
      return x * 10
    }
    const strict = host.pure(tens, { name: 'tens', maxAttempts: 1 })
    const once = await sim.settle(strict.parallel(args, { settle: true }))
    expect(once.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled'])

    // Without retryFailed, a rerun answers everything from the cache, failures included, and runs nothing.
    let progress = { done: 0, cached: 0, failed: 0 }
    let before = runs
    const replay = await sim.settle(strict.parallel(args, { settle: true, onProgress: (p) => (progress = p) }))
    expect(replay.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled'])
    expect(progress).toMatchObject({ done: 4, cached: 4 })
    expect(runs - before).toBe(0)

    // With it, the two failures run again (and fail again, being deterministic); the values still come from the cache.
    before = runs
    const retried = await sim.settle(strict.parallel(args, { settle: true, retryFailed: true, onProgress: (p) => (progress = p) }))
    expect(retried.map((s) => s.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'fulfilled'])
    expect(progress).toMatchObject({ done: 4, cached: 2, failed: 2 })
    expect(runs - before).toBe(2)

    // remote() takes it too: one run, the same error.
    before = runs
    await expect(sim.settle(strict.remote({ x: 3 }))).rejects.toMatchObject({ name: 'RangeError' })
    expect(runs - before).toBe(0)
    await expect(sim.settle(strict.remote({ x: 3 }, { retryFailed: true }))).rejects.toMatchObject({ name: 'RangeError', message: 'odd: 3' })
    expect(runs - before).toBe(1)
    await sim.close([host])
  })

})
