import { describe, expect, it } from 'vitest'
import type { Progress } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const CALM = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const double = ({ x }: { x: number }) => 2 * x

describe('nobody to compute', () => {
  it('progress says workers: 0, and noWorkers: "fail" rejects with NoWorkersError after noWorkersMs', async () => {
    const sim = new SimSwarm({ seed: 4, donors: 0, conditions: CALM, taskDurationMs: [10, 20] })
    const host = sim.host('lonely')
    const fn = host.pure(double, { name: 'double' })
    const seen: Progress[] = []
    const started = sim.clock.now()
    const failing = fn.parallel([{ x: 1 }, { x: 2 }], { noWorkers: 'fail', noWorkersMs: 3_000, onProgress: (p) => seen.push(p) })
    await expect(sim.settle(failing, 60_000)).rejects.toMatchObject({ name: 'NoWorkersError', message: expect.stringContaining('donate page') })
    const waited = sim.clock.now() - started
    expect(waited).toBeGreaterThanOrEqual(3_000)
    expect(waited).toBeLessThan(5_000)
    expect(seen.length).toBeGreaterThan(0)
    expect(seen.every((p) => p.workers === 0 && p.done === 0)).toBe(true)
    // .remote() counts other peers only, and fails alike.
    await expect(sim.settle(fn.remote({ x: 3 }, { noWorkers: 'fail', noWorkersMs: 1_000 }), 60_000)).rejects.toMatchObject({ name: 'NoWorkersError' })
    await sim.close([host])
  })

  it('a donor that joins in time runs the calls, and progress counts its workers', async () => {
    const sim = new SimSwarm({ seed: 5, donors: 0, conditions: CALM, taskDurationMs: [10, 20] })
    const host = sim.host('patient')
    const fn = host.pure(double, { name: 'double' })
    const seen: Progress[] = []
    const running = fn.parallel([{ x: 1 }, { x: 2 }, { x: 3 }], { noWorkers: 'fail', noWorkersMs: 5_000, onProgress: (p) => seen.push(p) })
    sim.clock.setTimeout(() => sim.addDonor(undefined, { workers: 3 }), 1_500)
    expect(await sim.settle(running, 60_000)).toEqual([2, 4, 6])
    expect(seen.some((p) => p.workers === 0)).toBe(true)
    expect(seen.at(-1)).toMatchObject({ done: 3, workers: 3 })
    await sim.close([host])
  })
})
