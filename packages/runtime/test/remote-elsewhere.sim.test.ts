import * as prng from 'lib0/prng'
import { describe, expect, it } from 'vitest'
import { SimExecutor, SimPeer } from '@tessera/core/testing'
import { assembleSwarm } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const CALM = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }

describe('.remote() computes on another peer', () => {
  it('a host with workers of its own leaves its .remote() calls to a donor, and still runs plain calls itself', async () => {
    const sim = new SimSwarm({ seed: 16, donors: 0, conditions: CALM, taskDurationMs: [20, 60] })
    let donorRuns = 0
    sim.addDonor(() => {
      donorRuns++
      return true
    }, { workers: 2 })
    let hostRuns = 0
    const executor = new SimExecutor({
      clock: sim.clock,
      duration: () => prng.int32(sim.random, 20, 60),
      onRunStart: () => {
        hostRuns++
        return true
      },
    })
    const host = assembleSwarm({
      peer: new SimPeer({ name: 'host', network: sim.network, clock: sim.clock, random: sim.random }),
      workers: 4,
      executor,
      clock: sim.clock,
      random: () => prng.real53(sim.random),
      maxValueBytes: 1024 * 1024,
    })
    const cube = host.pure(({ x }: { x: number }) => x * x * x, { name: 'cube' })
    const xs = [1, 2, 3, 4, 5, 6, 7, 8]
    const results = await sim.settle(Promise.all(xs.map((x) => cube.remote({ x }))))
    expect(results).toEqual(xs.map((x) => x ** 3))
    expect(hostRuns).toBe(0)
    expect(donorRuns).toBe(xs.length)

    // The same host's plain call runs on its own workers: the executor works, it was only left out.
    expect(await sim.settle(cube({ x: 100 }))).toBe(1_000_000)
    expect(hostRuns).toBe(1)
    await sim.close([host])
  })
})
