import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** Rows of `d` features in `x` (row-major) and one target each in `y`. */
export interface Dataset {
  readonly n: number
  readonly d: number
  readonly x: Float64Array
  readonly y: Float64Array
}

/**
 * A seeded regression problem: features uniform in [-1, 1], target a smooth
 * nonlinear function of the first three (so d ≥ 3) plus Gaussian noise. The same seed
 * gives the same bytes on every machine, so a task may rebuild the data
 * instead of receiving it.
 */
export function makeDataset(seed: number, n: number, d: number, noise: number): Dataset {
  const rng = xoroshiro128plus(seed)
  const x = new Float64Array(n * d)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = 2 * uniformFloat64(rng) - 1
    const a = x[i * d] ?? 0
    const b = x[i * d + 1] ?? 0
    const c = x[i * d + 2] ?? 0
    // Box–Muller: one standard normal from two uniforms.
    const gaussian = Math.sqrt(-2 * Math.log(1 - uniformFloat64(rng))) * Math.cos(2 * Math.PI * uniformFloat64(rng))
    y[i] = Math.sin(3 * a) + b * c + 0.5 * Math.cos(2 * b) + noise * gaussian
  }
  return { n, d, x, y }
}

/** Row indices of fold `fold` of `folds` (validation) and of the others (training). */
export function foldSplit(n: number, folds: number, fold: number): { readonly train: Int32Array; readonly test: Int32Array } {
  const test: number[] = []
  const train: number[] = []
  for (let i = 0; i < n; i++) (i % folds === fold ? test : train).push(i)
  return { train: Int32Array.from(train), test: Int32Array.from(test) }
}
