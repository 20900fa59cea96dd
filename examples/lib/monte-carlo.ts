import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/**
 * Throws `samples` points uniformly into the unit square and counts those
 * inside the quarter circle of radius 1: about π/4 of them.
 */
export function quarterCircleHits(rng: RandomGenerator, samples: number): number {
  let hits = 0
  for (let i = 0; i < samples; i++) {
    const x = uniformFloat64(rng)
    const y = uniformFloat64(rng)
    if (x * x + y * y < 1) hits++
  }
  return hits
}
