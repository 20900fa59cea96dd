import { openBenchPage } from '../lib/browser-session.ts'
import type { KernelBenchResult } from '../pages/bigmatrix-kernels/main.ts'
import type { BenchFigure } from '../lib/section.ts'
import { round3 } from '../lib/stats.ts'
import { measureIsolateRates } from './isolate-rates.ts'
import { FULL_SIMD_SIZES, QUICK_SIMD_SIZES, measureSimdRates, type SimdRate } from './simd-rates.ts'

export interface SimdComparison {
  readonly node: readonly SimdRate[]
  readonly isolate: readonly SimdRate[]
  readonly chromium: readonly SimdRate[]
  readonly chromiumHardenedWorker: readonly SimdRate[]
  readonly figures: readonly BenchFigure[]
  readonly markdown: string
}

async function chromiumRates(quick: boolean): Promise<KernelBenchResult> {
  const tab = await openBenchPage('bigmatrix-kernels', quick ? { quick: 1 } : {}, 'kernelBench')
  try {
    const outcome = await tab.evaluate(() => {
      const page = globalThis as typeof globalThis & { kernelBench?: KernelBenchResult; kernelBenchError?: string }
      return { rates: page.kernelBench ?? { tab: [], hardenedWorker: [] }, error: page.kernelBenchError }
    })
    if (outcome.error !== undefined) throw new Error(`in Chromium: ${outcome.error}`)
    return outcome.rates
  } finally {
    await tab.close()
  }
}

function figures(environment: string, label: string, rates: readonly SimdRate[]): BenchFigure[] {
  return rates.map((rate) => ({
    id: `bigmatrix.simd-vs-js.${environment}.${rate.n}`,
    title: `WebAssembly SIMD GEMM vs the 4×4 JS kernel, ${label} (${rate.n}×${rate.n} float64, one thread)`,
    value: round3(rate.simd ?? 0),
    unit: 'GFLOP/s',
    baseline: { label: 'JS 4×4 register-blocked kernel', value: round3(rate.js), unit: 'GFLOP/s' },
    ratio: round3((rate.simd ?? 0) / rate.js),
    note: rate.simd === null ? 'WebAssembly SIMD did not compile here: block tasks use the JS kernel' : 'block tasks use the faster, SIMD, where it compiles (same bits)',
  }))
}

/**
 * The single-thread GEMM kernels block tasks choose between, in Node (this
 * process, before any donor starts), in a Node donor's isolate, on a
 * Chromium tab's main thread and in a Web Worker hardened like a donor tab's.
 */
export async function compareSimd(quick: boolean, runs: number): Promise<SimdComparison> {
  const sizes = quick ? QUICK_SIMD_SIZES : FULL_SIMD_SIZES
  const node = measureSimdRates(sizes, runs)
  const isolate = await measureIsolateRates(sizes, runs)
  const { tab: chromium, hardenedWorker: chromiumHardenedWorker } = await chromiumRates(quick)
  const row = (env: string, r: SimdRate): string =>
    `| ${env} | ${r.n} | ${round3(r.js)} | ${r.simd === null ? 'n/a' : round3(r.simd)} | ${r.simd === null ? 'n/a' : `${round3(r.simd / r.js)}×`} |`
  const markdown = [
    'Single-thread GEMM, n×n · n×n float64, GFLOP/s (best of a few samples): the 4×4 register-blocked JavaScript kernel against the WebAssembly f64x2 SIMD kernel the block tasks now use where it compiles (the same bits).',
    '',
    '| environment | n | JS 4×4 | WASM SIMD | SIMD / JS |',
    '|---|--:|--:|--:|--:|',
    ...node.map((r) => row('Node', r)),
    ...isolate.map((r) => row('Node donor isolate (isolated-vm)', r)),
    ...chromium.map((r) => row('Chromium (tab main thread)', r)),
    ...chromiumHardenedWorker.map((r) => row('Chromium Web Worker, hardened like a donor tab’s', r)),
  ].join('\n')
  return {
    node,
    isolate,
    chromium,
    chromiumHardenedWorker,
    figures: [
      ...figures('node', 'Node', node),
      ...figures('node-isolate', 'Node donor isolate', isolate),
      ...figures('chromium', 'Chromium', chromium),
      ...figures('chromium-hardened-worker', 'Chromium hardened worker', chromiumHardenedWorker),
    ],
    markdown,
  }
}
