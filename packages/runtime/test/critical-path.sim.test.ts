import { describe, expect, it } from 'vitest'
import type { TaskRef } from '@tessera/runtime'
import { SimSwarm } from './support/sim-swarm.ts'

const LAN = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const inc = ({ x }: { x: number }) => x + 1
const side = ({ i }: { i: number }) => i * 2

describe('the critical path first (issue 18, item 2)', () => {
  it('a chain of 200 beside 200 independent tasks on 2 donors ends about when the chain alone would', async () => {
    const sim = new SimSwarm({ seed: 1, donors: 2, conditions: LAN, taskDurationMs: [10, 10] })
    const host = sim.host('submitter')
    await sim.wait(500)
    const f = host.pure(inc, { name: 'inc' })
    const g = host.pure(side, { name: 'side' })
    const graph = host.graph()
    // The independent tasks first: their job is published, and listed, before the chain's.
    const sides: TaskRef[] = []
    for (let i = 0; i < 200; i++) sides.push(graph.add(g, { i }))
    let last = graph.add(f, { x: 0 })
    for (let i = 1; i < 200; i++) last = graph.add(f, { x: last })
    const started = sim.clock.now()
    await sim.settle(graph.submit())
    expect(await sim.settle(host.result<number>(last), 60_000)).toBe(200)
    const chainMs = sim.clock.now() - started
    await sim.settle(host.resultRefs(sides), 60_000)
    const allMs = sim.clock.now() - started
    console.log(`[figure] chain of 200 × 10 ms beside 200 × 10 ms on 2 donors: chain done at ${chainMs} ms, all at ${allMs} ms of virtual time (2,000 ms of work per donor)`)
    // Without priorities the chain started once a donor came to its head, after a share of the
    // independent tasks: 3.48 s for the chain, 3.50 s in all (4,000 ms of work on 2 donors).
    expect(chainMs).toBeLessThan(2_500)
    expect(allMs).toBeLessThan(2_900)
    await sim.close([host])
  }, 60_000)
})
