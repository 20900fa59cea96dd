import { describe, expect, it } from 'vitest'
import { JobNotFoundError } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const LAN = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const total = ({ xs, i }: { xs: number[]; i: number }) => xs.reduce((s, x) => s + x, i)

describe('swarm.jobTimes: where the donors spent a job, from its reports', () => {
  it('sums what the runs computed, on which peers, and that they waited for nothing (their arguments were inline)', async () => {
    const sim = new SimSwarm({ seed: 31, donors: 2, conditions: LAN, taskDurationMs: [20, 40] })
    const host = sim.host('submitter')
    await sim.wait(500)
    const f = host.pure(total, { name: 'total' })
    const results = await sim.settle(f.parallel(Array.from({ length: 6 }, (_, i) => ({ xs: [1, 2, 3], i }))))
    expect(results).toEqual([6, 7, 8, 9, 10, 11])
    const [job] = host.jobs()
    const times = await sim.settle(host.jobTimes([job?.id as string]))
    expect(times).toMatchObject({ tasks: 6, reported: 6 })
    expect(times.runs).toBeGreaterThanOrEqual(6)
    // Each run lasts 20–40 ms of virtual time on the simulated executor.
    expect(times.computeMs).toBeGreaterThanOrEqual(20 * times.runs)
    expect(times.computeMs).toBeLessThanOrEqual(40 * times.runs)
    // The simulator moves no blobs between peers: the wait for a linked value is tested with core's donor (value-ref.test.ts).
    expect(times.fetchMs).toBe(0)
    expect(Object.values(times.runsByPeer).reduce((s, n) => s + n, 0)).toBe(times.runs)
    await expect(sim.settle(host.jobTimes(['nobody-job-0'], { waitMs: 100 }))).rejects.toBeInstanceOf(JobNotFoundError)
    await sim.close([host])
  })
})
