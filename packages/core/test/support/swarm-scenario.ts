import { expect } from 'vitest'
import { decodeCanonical, definePure, taskPhase, type Value } from '@tessera/core'
import { simulateJob, type SimulationResult } from '@tessera/core/testing'

export const PEERS = 50
export const TASKS = 1_000
export const DYING_FRACTION = 0.2

const polynomial = definePure(({ x, salt }: { x: number; salt: number }) => x * x + 3 * x + salt, { name: 'polynomial' })
const expected = (x: number, salt: number): number => x * x + 3 * x + salt

/**
 * Issue 2's acceptance scenario: 1,000 tasks over 50 simulated peers, 20% of
 * which die silently mid-task, on a network that delays, reorders and drops.
 * Every task must end with exactly one accepted result, equal to the function's
 * true output, the same on every live peer, and cached under its task key.
 */
export async function checkChurnScenario(seed: number): Promise<SimulationResult> {
  const argsList = Array.from({ length: TASKS }, (_, x) => ({ x, salt: seed }))
  const result = await simulateJob({
    seed,
    peers: PEERS,
    fn: polynomial,
    argsList,
    dyingFraction: DYING_FRACTION,
    job: { leaseMs: 3_000 },
    donor: { reportFlushMs: 500 },
  })
  expect(result.deaths).toBe(PEERS * DYING_FRACTION)
  expect(result.live.length).toBe(PEERS - PEERS * DYING_FRACTION + 1)
  const reference = result.live[0]?.jobs.get(result.job)
  if (reference === undefined) throw new Error('the host has no view of its own job')
  const decoded = new Map<string, Value>()
  for (const peer of result.live) {
    const view = peer.jobs.get(result.job)
    expect(view?.isFinished()).toBe(true)
    if (view === undefined) continue
    for (let i = 0; i < TASKS; i++) {
      const task = String(i)
      const phase = taskPhase(view, task, Number.POSITIVE_INFINITY)
      if (phase.phase !== 'done' || phase.outcome.kind !== 'value') {
        throw new Error(`seed ${seed}, ${peer.id}, task ${i}: ${JSON.stringify(phase)}`)
      }
      // Exactly one accepted result: every peer accepts the same one, and no report disagrees with it.
      const accepted = taskPhase(reference, task, Number.POSITIVE_INFINITY)
      expect(accepted).toEqual(phase)
      for (const report of view.reports(task)) expect(report.outcome).toEqual(phase.outcome)
      const address = phase.outcome.result
      let value = decoded.get(address)
      if (value === undefined) {
        const inline = peer.swarm.value(address)?.inline
        if (inline === undefined) throw new Error(`seed ${seed}: result ${address} of task ${i} is not in the store`)
        decoded.set(address, (value = decodeCanonical(inline)))
      }
      expect(value).toBe(expected(i, seed))
      const record = view.task(task)
      expect(record && peer.swarm.cached(record.key)).toEqual({ kind: 'value', result: address })
    }
  }
  return result
}

/** Seeds for one shard of the 200. */
export function seedShard(shard: number, shards: number, total = 200): number[] {
  return Array.from({ length: total }, (_, i) => i + 1).filter((seed) => seed % shards === shard)
}
