import { GEMM_SIMD_WASM, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'
import { bestMs, seeded } from './timing.ts'

/** One size's single-thread GEMM rates in one environment, GFLOP/s (best of a few samples). */
export interface SimdRate {
  readonly n: number
  readonly js: number
  /** Null where WebAssembly SIMD does not compile. */
  readonly simd: number | null
}

export const FULL_SIMD_SIZES = [256, 512] as const
export const QUICK_SIMD_SIZES = [128] as const

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
