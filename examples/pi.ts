/**
 * Monte Carlo π: `tessera run examples/pi.ts [-- --tasks 200 --samples 2000000]`.
 *
 * Each task counts random points inside the quarter circle. Its pure function
 * calls a helper from a local file (`quarterCircleHits`) and one from an npm
 * package (`xoroshiro128plus`, from pure-rand): `tessera run` bundles them, and
 * they travel to donors with the function. Every task is seeded, so its result
 * is a pure function of its arguments and is cached for good.
 */
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { JobModule } from '@tessera/host'
import { integerArgs } from './lib/job-args.ts'
import { quarterCircleHits } from './lib/monte-carlo.ts'

export interface PiResult {
  readonly pi: number
  /** |estimate − Math.PI|. */
  readonly error: number
  readonly tasks: number
  readonly samplesPerTask: number
}

const job: JobModule<PiResult> = async (swarm, { args, signal }) => {
  const { tasks, samples } = integerArgs(args, { tasks: 200, samples: 2_000_000 })
  const hits = swarm.pure(
    ({ seed, samples }: { seed: number; samples: number }) => quarterCircleHits(xoroshiro128plus(seed), samples),
    { name: 'examples/pi:quarterCircleHits' },
  )
  const counts = await hits.parallel(
    Array.from({ length: tasks }, (_, task) => ({ seed: task + 1, samples })),
    { signal },
  )
  const pi = (4 * counts.reduce((sum, count) => sum + count, 0)) / (tasks * samples)
  return { pi, error: Math.abs(pi - Math.PI), tasks, samplesPerTask: samples }
}

export default job
