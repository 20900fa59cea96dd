import { describe, expect, it } from 'vitest'
import { SimSwarm } from './support/sim-swarm.ts'
import type { TaskRef } from '@tessera/runtime'

const LAN = { minDelayMs: 2, maxDelayMs: 20, dropRate: 0, reorderRate: 0 }
const seed = ({ i }: { i: number }) => i
const use = ({ a, b }: { a: number[]; b: number[] }) => a.reduce((s, x, k) => s + x * (b[k] ?? 0), 0)

// Batches were sized by every recent run, so a donor fresh from 2 ms inputs took a whole fair
// share of 500 ms products at once: seed 7 ran 7.0 s, most seeds 5.0–5.5 s. Sized per function,
// every seed ends within 4.7–5.5 s.
describe('batches of a graph\'s slow tasks are sized by their own run times (issue 18)', () => {
  for (const s of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${s}: matmul-shaped graph (32 inputs, 16 products of 8 each) keeps both donors busy`, async () => {
      const sim = new SimSwarm({ seed: s, donors: 0, conditions: LAN, taskDurationMs: [100, 100], durationByName: { seed: 2, use: 500 } })
      const runs = [0, 0]
      for (const d of [0, 1]) sim.addDonor(() => { runs[d] = (runs[d] ?? 0) + 1; return true })
      const host = sim.host('submitter')
      await sim.wait(500)
      const f = host.pure(seed, { name: 'seed' })
      const g = host.pure(use, { name: 'use' })
      const graph = host.graph()
      const sinks = []
      // As matmul's graph: 4×4 blocks of A and of B, and each product names a row of A's and a column of B's.
      const a = Array.from({ length: 16 }, (_, i) => graph.add(f, { i }))
      const b = Array.from({ length: 16 }, (_, i) => graph.add(f, { i: 100 + i }))
      for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) sinks.push(graph.add(g, { a: [0, 1, 2, 3].map((k) => a[4 * i + k] as TaskRef), b: [0, 1, 2, 3].map((k) => b[4 * k + j] as TaskRef) }))
      const started = sim.clock.now()
      await sim.settle(graph.submit())
      const values = await sim.settle(Promise.all(sinks.map((ref) => host.result<number>(ref))), 120_000)
      const virtualMs = sim.clock.now() - started
      expect(values[5]).toBe(4 * 101 + 5 * 105 + 6 * 109 + 7 * 113)
      console.log(`[figure] seed ${s}: 32 inputs of 2 ms and 16 products of 500 ms on 2 donors: runs ${runs.join(' + ')}, ${virtualMs} ms virtual (ideal 4,000)`)
      // One donor running most products takes 6.5–8 s.
      expect(virtualMs).toBeLessThan(6_000)
      await sim.close([host])
    }, 60_000)
  }
})
