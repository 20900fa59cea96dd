import { decodeCanonical, definePure, taskPhase } from '@tessera/core'
import { simulateJob } from '@tessera/core/testing'

/** What a simulated job came to, in plain data, so Node and Chromium runs can be compared. */
export interface CoreSimOutcome {
  readonly virtualMs: number
  readonly deaths: number
  readonly runs: Array<number | undefined>
  readonly results: Array<number | null>
  readonly cached: number
}

const cube = definePure(({ x }: { x: number }) => x * x * x - 2 * x, { name: 'cubeMinusTwoX' })

/** A small seeded job on the simulated swarm, run the same way in Node and in a page. */
export async function runCoreSim(seed: number): Promise<CoreSimOutcome> {
  const tasks = 120
  const result = await simulateJob({
    seed,
    peers: 8,
    fn: cube,
    argsList: Array.from({ length: tasks }, (_, x) => ({ x })),
    dyingFraction: 0.25,
    job: { leaseMs: 2_000 },
    linkFlaps: { everyMs: 200, downMs: [100, 800] },
  })
  const view = result.host.jobs.get(result.job)
  const results = Array.from({ length: tasks }, (_, i) => {
    const phase = view === undefined ? undefined : taskPhase(view, String(i), Number.POSITIVE_INFINITY)
    if (phase?.phase !== 'done' || phase.outcome.kind !== 'value') return null
    const inline = result.host.swarm.value(phase.outcome.result)?.inline
    return inline === undefined ? null : (decodeCanonical(inline) as number)
  })
  return {
    virtualMs: result.virtualMs,
    deaths: result.deaths,
    runs: result.donors.map((d) => d.donor?.runs),
    results,
    // Distinct keys: two writers may each have filed an entry for a task that ran twice under churn.
    cached: [...result.host.swarm.cache.keys()].length,
  }
}
