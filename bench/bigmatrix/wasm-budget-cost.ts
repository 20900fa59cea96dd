/**
 * What the WebAssembly memory budget (`wasmBudgetSource`, docs/security/sandbox.md)
 * costs BigMatrix's SIMD GEMM inside a donor's isolate: two contexts of one
 * isolated-vm isolate, prepared as `IsolateExecutor` prepares them (prelude,
 * then hardening), one with the budget's wrappers and one with a stand-in
 * controller only, measured alternately (A, B, A, B, ...) so drift on a shared
 * machine falls on both. Per context: what one task's kernel setup costs
 * (`simdGemm(bytes)` and a first 8×8 call: Module, Memory and Instance, with the
 * budget opened and closed around it as for a task), and the GEMM's rate at n = 256 and 512.
 *
 *   npx tsx bench/bigmatrix/wasm-budget-cost.ts [rounds=3]
 * Prints one JSON line per context and round, then the medians.
 */
import { createRequire } from 'node:module'
import type ivm from 'isolated-vm'
import { BUNDLER_HELPERS } from '@tessera/core'
import { GEMM_SIMD_WASM, gemmStrided, simdGemm } from '@tessera/bigmatrix/kernels'
import { HARDEN_REALM_SOURCE, wasmBudgetSource } from '@tessera/runtime/pool'
// The prelude is the host's own; this script measures it where it lives.
import { ISOLATE_PRELUDE_SOURCE } from '../../packages/host/src/isolate/isolate-prelude.ts'

const Ivm = createRequire(import.meta.url)('isolated-vm') as typeof ivm
const rounds = Number(process.argv[2] ?? 3)
const STAND_IN = `Object.defineProperty(globalThis, '__tesseraWasmBudget', { value: () => ({ start() {}, end() { return { liveBytes: 0 } } }) })`

// What tsx's transform leaves in function text (\`__name\`), as the executor's invoker provides it.
const HELPERS = Object.entries(BUNDLER_HELPERS).map(([name, body]) => `const ${name} = ${body};`).join('\n')
const measure = `(function () {
  ${HELPERS}
  const budget = globalThis.__tesseraWasmBudget()
  const gemmStrided = ${Function.prototype.toString.call(gemmStrided)};
  const simdGemm = ${Function.prototype.toString.call(simdGemm)};
  const bytes = [${GEMM_SIMD_WASM.join(',')}];
  return function run(setups, sizes, samples) {
    let t0 = Date.now()
    let made = 0
    const tiny = new Float64Array(64)
    for (; made < setups; made++) {
      budget.start()
      const kernel = simdGemm(bytes, gemmStrided)
      if (kernel === null) throw new Error('no SIMD')
      kernel(8, 8, 8, tiny, 0, 8, tiny, 0, 8, tiny, 0, 8, 1) // its first call makes its memory and instance
      budget.end()
    }
    const setupUs = ((Date.now() - t0) * 1000) / setups
    budget.start()
    const simd = simdGemm(bytes, gemmStrided)
    const rates = sizes.map((n) => {
      const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i))
      const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i))
      const c = new Float64Array(n * n)
      simd(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1)
      let best = Infinity
      for (let r = 0; r < samples; r++) {
        let reps = 0
        const started = Date.now()
        do { simd(n, n, n, a, 0, n, b, 0, n, c, 0, n, 1); reps++ } while (Date.now() - started < 30)
        best = Math.min(best, (Date.now() - started) / reps)
      }
      return (2 * n ** 3) / best / 1e6
    })
    budget.end()
    return { setupUs, gflops: rates }
  }
})()`

async function prepare(isolate: ivm.Isolate, withBudget: boolean): Promise<ivm.Reference<(...args: unknown[]) => unknown>> {
  const context = await isolate.createContext()
  await context.eval(ISOLATE_PRELUDE_SOURCE)
  await context.eval(withBudget ? wasmBudgetSource(512 * 2 ** 20) : STAND_IN)
  await context.eval(HARDEN_REALM_SOURCE)
  return (await context.eval(measure, { reference: true })) as ivm.Reference<(...args: unknown[]) => unknown>
}

const isolate = new Ivm.Isolate({ memoryLimit: 512 })
const kinds = { without: await prepare(isolate, false), with: await prepare(isolate, true) }
type Sample = { setupUs: number; gflops: number[] }
const seen: { without: Sample[]; with: Sample[] } = { without: [], with: [] }
for (let round = 0; round < rounds; round++) {
  for (const kind of round % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const)) {
    // 200 setups: the budget keeps each kernel's memory in its account until it is collected, as across 200 tasks.
    const result = (await kinds[kind].apply(undefined, [200, new Ivm.ExternalCopy([256, 512]).copyInto(), 4], { result: { copy: true } })) as Sample
    seen[kind].push(result)
    console.log(JSON.stringify({ round, kind, ...result }))
  }
}
const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
for (const kind of ['without', 'with'] as const) {
  const runs = seen[kind]
  console.log(`${kind} budget: setup ${median(runs.map((r) => r.setupUs)).toFixed(1)} µs, GEMM n=256 ${median(runs.map((r) => r.gflops[0] as number)).toFixed(2)} GFLOP/s, n=512 ${median(runs.map((r) => r.gflops[1] as number)).toFixed(2)} GFLOP/s`)
}
isolate.dispose()
