import { functionAddress } from '@tessera/core'
import { GEMM_SIMD_WASM, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'
import { IsolateExecutor } from '@tessera/host'
import type { SimdRate } from './simd-rates.ts'

/**
 * The same comparison as `measureSimdRates`, but inside a donor's sandbox: a
 * hardened isolated-vm isolate (`IsolateExecutor`, what `connect()` donates
 * through), with the kernels declared in the task's source as block tasks
 * carry them. Timed inside the isolate with `Date.now` (no `performance` there),
 * each sample repeating the product until it lasts 30 ms or more.
 */
export async function measureIsolateRates(sizes: readonly number[], runs: number): Promise<SimdRate[]> {
  const source = `({ sizes, runs }) => {
    const gemmStrided = ${Function.prototype.toString.call(gemmStrided)};
    const simdGemm = ${Function.prototype.toString.call(simdGemm)};
    const simd = simdGemm([${GEMM_SIMD_WASM.join(',')}], gemmStrided);
    const rate = (n, gemm, a, b, c) => {
      gemm(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1);
      let best = Infinity;
      for (let r = 0; r < runs; r++) {
        let reps = 0;
        const started = Date.now();
        do { gemm(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1); reps++ } while (Date.now() - started < 30);
        best = Math.min(best, (Date.now() - started) / reps);
      }
      return (2 * n ** 3) / best / 1e6;
    };
    return sizes.map((n) => {
      const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
      const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
      const c = new Float64Array(n * n);
      return { n, js: rate(n, gemmStrided, a, b, c), simd: simd === null ? null : rate(n, simd, a, b, c) };
    });
  }`
  const executor = new IsolateExecutor({ workers: 1 })
  try {
    const fn = { name: 'bench.isolateGemmRates', source, address: functionAddress('bench.isolateGemmRates', source) }
    const run = await executor.run(fn, { sizes: [...sizes], runs }, { timeoutMs: 120_000 })
    if (run.kind !== 'value') throw new Error(`the isolate run ended ${run.kind}: ${JSON.stringify(run).slice(0, 300)}`)
    return run.value as unknown as SimdRate[]
  } finally {
    await executor.close()
  }
}
