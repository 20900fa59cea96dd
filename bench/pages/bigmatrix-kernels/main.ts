import { FULL_SIMD_SIZES, QUICK_SIMD_SIZES, measureSimdRates, type SimdRate } from '../../bigmatrix/simd-rates.ts'

// The Chromium half of the kernel comparison in bench/bigmatrix.ts: the
// JavaScript and WebAssembly SIMD GEMMs on this tab's main thread. Sets
// `globalThis.kernelBench` to the rates, or `kernelBenchError`.
const output = globalThis as typeof globalThis & { kernelBench?: SimdRate[]; kernelBenchError?: string }
const quick = new URLSearchParams(location.search).get('quick') === '1'

// A turn later, so the page has settled before the clock starts.
setTimeout(() => {
  try {
    output.kernelBench = measureSimdRates(quick ? QUICK_SIMD_SIZES : FULL_SIMD_SIZES, quick ? 2 : 4)
  } catch (error) {
    output.kernelBench = []
    output.kernelBenchError = error instanceof Error ? (error.stack ?? error.message) : String(error)
  }
}, 0)
