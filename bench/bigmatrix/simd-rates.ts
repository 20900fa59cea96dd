import { GEMM_SIMD_WASM, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'

/** One size's single-thread GEMM rates in one environment, GFLOP/s (best of a few samples). */
export interface SimdRate {
  readonly n: number
  readonly js: number
  /** Null where WebAssembly SIMD does not compile. */
  readonly simd: number | null
}

export const FULL_SIMD_SIZES = [256, 512] as const
export const QUICK_SIMD_SIZES = [128] as const

function seeded(length: number, seed: number): Float64Array {
  let x = seed >>> 0 || 1
  return Float64Array.from({ length }, () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296 - 0.5
  })
}

function bestMs(runs: number, body: () => void): number {
  let best = Infinity
  for (let r = 0; r < runs; r++) {
    let reps = 0
    const started = performance.now()
    do {
      body()
      reps++
    } while (performance.now() - started < 30)
    best = Math.min(best, (performance.now() - started) / reps)
  }
  return best
}

/**
 * The 4×4 register-blocked JavaScript GEMM against the WebAssembly f64x2 SIMD
 * one, on the same n×n float64 operands, in this environment (Node or a
 * Chromium tab); the first call of each warms it and is not timed. The SIMD
 * kernel is compiled once, as a block task does once per run.
 */
export function measureSimdRates(sizes: readonly number[], runs: number): SimdRate[] {
  const simd = simdGemm(GEMM_SIMD_WASM, gemmStrided)
  return sizes.map((n) => {
    const a = seeded(n * n, 1)
    const b = seeded(n * n, 2)
    const c = new Float64Array(n * n)
    const gflop = (2 * n ** 3) / 1e6
    const js = (): void => gemmStrided(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1)
    js()
    const jsRate = gflop / bestMs(runs, js)
    if (simd === null) return { n, js: jsRate, simd: null }
    const wasm = (): void => simd(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1)
    wasm()
    return { n, js: jsRate, simd: gflop / bestMs(runs, wasm) }
  })
}
