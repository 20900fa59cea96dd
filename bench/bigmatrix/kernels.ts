import { Matrix } from 'ml-matrix'
import { GEMM_SIMD_WASM, gemmInto, gemmNaive, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'
import { bestMs, seeded } from './timing.ts'

export interface KernelRates {
  /** GFLOP/s on one thread, best of a few runs, for an n×n by n×n product. */
  readonly blocked: number
  readonly naive: number
  readonly mlMatrix: number
  /** The GEMM block tasks run here: the WebAssembly SIMD one where it compiles, else `blocked`. */
  readonly task: number
  readonly n: number
}

/** GFLOP/s of `body`, best of `runs` samples (`bestMs`). */
function bestRate(flops: number, runs: number, body: () => void): number {
  return flops / bestMs(runs, body) / 1e6
}

/**
 * The block kernel against the textbook triple loop and against ml-matrix's
 * `mmul` (the most used JS matrix library on npm), all on this thread, on the
 * same n×n operands. The first run of each warms the JIT and is kept out of
 * "best of".
 */
export function measureKernels(n: number, runs: number): KernelRates {
  const a = seeded(n * n, 1)
  const b = seeded(n * n, 2)
  const c = new Float64Array(n * n)
  const flops = 2 * n ** 3
  gemmInto(n, n, n, a, b, c, 1)
  const blocked = bestRate(flops, runs, () => gemmInto(n, n, n, a, b, c, 1))
  gemmNaive(n, n, n, a, b, c)
  const naive = bestRate(flops, Math.max(1, runs - 1), () => gemmNaive(n, n, n, a, b, c))
  const ma = new Matrix(n, n)
  const mb = new Matrix(n, n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    ma.set(i, j, a[i * n + j] as number)
    mb.set(i, j, b[i * n + j] as number)
  }
  ma.mmul(mb)
  const mlMatrix = bestRate(flops, Math.max(1, runs - 1), () => ma.mmul(mb))
  const simd = simdGemm(GEMM_SIMD_WASM, gemmStrided)
  let task = blocked
  if (simd !== null) {
    simd(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1)
    task = bestRate(flops, runs, () => simd(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1))
  }
  return { blocked, naive, mlMatrix, task, n }
}
