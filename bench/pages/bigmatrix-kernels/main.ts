import { FULL_SIMD_SIZES, QUICK_SIMD_SIZES, measureSimdRates, type SimdRate } from '../../bigmatrix/simd-rates.ts'

export interface KernelBenchResult {
  /** The tab's main thread, as it is. */
  readonly tab: SimdRate[]
  /** A Web Worker hardened like a donor's task workers (`hardenThisRealm`). */
  readonly hardenedWorker: SimdRate[]
}

// The Chromium half of the kernel comparison in bench/bigmatrix.ts: the
// JavaScript and WebAssembly SIMD GEMMs on this tab's main thread, then in a
// hardened Web Worker. Sets `globalThis.kernelBench`, or `kernelBenchError`.
const output = globalThis as typeof globalThis & { kernelBench?: KernelBenchResult; kernelBenchError?: string }
const quick = new URLSearchParams(location.search).get('quick') === '1'
const sizes = [...(quick ? QUICK_SIMD_SIZES : FULL_SIMD_SIZES)]
const runs = quick ? 2 : 4

function inHardenedWorker(): Promise<SimdRate[]> {
  const worker = new Worker(new URL('./hardened-worker.ts', import.meta.url), { type: 'module' })
  return new Promise<SimdRate[]>((resolve, reject) => {
    worker.onmessage = (event: MessageEvent<{ rates?: SimdRate[]; error?: string }>) => {
      worker.terminate()
      if (event.data.rates !== undefined) resolve(event.data.rates)
      else reject(new Error(`in the hardened worker: ${event.data.error}`))
    }
    worker.onerror = (event) => {
      worker.terminate()
      reject(new Error(`the hardened worker failed: ${event.message}`))
    }
    worker.postMessage({ sizes, runs })
  })
}

// A turn later, so the page has settled before the clock starts.
setTimeout(() => {
  let tab: SimdRate[]
  try {
    tab = measureSimdRates(sizes, runs)
  } catch (error) {
    output.kernelBenchError = error instanceof Error ? (error.stack ?? error.message) : String(error)
    output.kernelBench = { tab: [], hardenedWorker: [] }
    return
  }
  inHardenedWorker().then(
    (hardenedWorker) => (output.kernelBench = { tab, hardenedWorker }),
    (error: unknown) => {
      output.kernelBenchError = String(error)
      output.kernelBench = { tab, hardenedWorker: [] }
    },
  )
}, 0)
