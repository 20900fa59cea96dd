import { describe, it } from 'vitest'
import { checkChurnScenario, seedShard } from './support/swarm-scenario.ts'

// The seeds (8, or TESSERA_CHURN_SEEDS) in four files, so that the test runner spreads them over the cores.
describe('simulated swarm under churn, seeds ≡ 2 (mod 4)', () => {
  it.each(seedShard(2, 4))('seed %i: every task has exactly one accepted, correct result', async (seed) => {
    await checkChurnScenario(seed)
  })
})
