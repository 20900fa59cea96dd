import { runCoreSim, type CoreSimOutcome } from '../../../support/core-sim-scenario.ts'

/** Runs the seeded simulated job given by `?seed=` and publishes its outcome for tests/browser/core-sim.test.ts. */
const output = globalThis as typeof globalThis & { coreSim?: CoreSimOutcome; coreSimError?: string }
const seed = Number(new URLSearchParams(location.search).get('seed'))
runCoreSim(seed).then(
  (outcome) => (output.coreSim = outcome),
  (error: unknown) => (output.coreSimError = error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error)),
)
