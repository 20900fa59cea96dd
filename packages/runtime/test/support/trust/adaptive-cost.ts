import { PERFECT_NETWORK } from '@tessera/core/testing'
import type { JobOptions } from '@tessera/core'
import { SimSwarm } from '../sim-swarm.ts'

/**
 * What checking results costs on an honest swarm (issue 14: adaptive
 * replication at most 15% more CPU than none; full 2-of-n at least 100%):
 * `donors` honest donors, each its own subject, and a host without workers
 * calling `tasks` distinct calls with `options`. Runs are counted where they
 * start, on the donors.
 */
export interface ReplicationCost {
  readonly tasks: number
  readonly runs: number
  readonly right: number
  /** Runs beyond one per task, as a share of the tasks. */
  readonly extra: number
  readonly virtualSeconds: number
}

const square = ({ x }: { x: number }): number => x * x

export async function replicationCost(seed: number, donors: number, tasks: number, options: JobOptions, name = 'square'): Promise<ReplicationCost> {
  const sim = new SimSwarm({ seed, donors: 0, conditions: PERFECT_NETWORK, taskDurationMs: [5, 30] })
  let runs = 0
  for (let i = 0; i < donors; i++) sim.addDonor(() => (runs++, true))
  const host = sim.host('host')
  try {
    await sim.wait(500)
    const started = sim.clock.now()
    const xs = Array.from({ length: tasks }, (_, x) => x)
    const results = await sim.settle(host.pure(square, { name, ...options }).parallel(xs.map((x) => ({ x }))), 600_000)
    const right = results.filter((value, x) => value === x * x).length
    return { tasks, runs, right, extra: runs / tasks - 1, virtualSeconds: (sim.clock.now() - started) / 1000 }
  } finally {
    await sim.close([host])
  }
}
