import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import wabtInit from 'wabt'
import { definePure } from '@tessera/core'
import { IsolateExecutor, ThreadExecutor } from '@tessera/host'
import { gemmStrided } from '../src/kernels/gemm.ts'
import { simdGemm } from '../src/kernels/gemm-simd.ts'
import { GEMM_SIMD_WASM } from '../src/kernels/gemm-simd-bytes.ts'
import { blockTask } from '../src/tasks/block-task.ts'
import { matmulBlock } from '../src/tasks/matmul-task.ts'
import { seededArray } from './support/reference.ts'

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false
  return true
}

describe('the WebAssembly SIMD GEMM', () => {
  const simd = simdGemm(GEMM_SIMD_WASM, gemmStrided)

  it('compiles in Node, from the bytes wasm/gemm-simd.wat assembles to (rerun wasm/build.mjs after editing it)', async () => {
    expect(simd).not.toBeNull()
    const wabt = await wabtInit()
    const wat = readFileSync(new URL('../wasm/gemm-simd.wat', import.meta.url), 'utf8')
    const module = wabt.parseWat('gemm-simd.wat', wat, { simd: true })
    expect(Array.from(module.toBinary({}).buffer)).toEqual(GEMM_SIMD_WASM)
    module.destroy()
  })

  it.each([
    [1, 1, 1], [3, 5, 7], [5, 3, 1], [9, 11, 13], [37, 29, 31], [64, 67, 33], [101, 99, 37],
  ])('gives the JavaScript kernel’s bits for %i×%i by inner %i, whole and strided, float64 and float32', (m, n, k) => {
    for (const dtype of ['float64', 'float32'] as const) {
      for (const alpha of [1, -0.75]) {
        const a = seededArray(m * k, 11, dtype)
        const b = seededArray(k * n, 12, dtype)
        const start = seededArray(m * n, 13, dtype)
        const js = start.slice()
        const wasm = start.slice()
        gemmStrided(m, n, k, a, 0, k, b, 0, n, js, 0, n, alpha)
        simd?.(m, n, k, a, 0, k, b, 0, n, wasm, 0, n, alpha)
        expect(sameBits(wasm, js), `${dtype}, alpha ${alpha}`).toBe(true)
      }
    }
    // Strided, with A and C inside one array, as the Cholesky kernels call it.
    const ld = m + k + n + 3
    const work = seededArray((m + 2) * ld, 14)
    const b = seededArray(k * (n + 2), 15)
    const js = work.slice()
    const wasm = work.slice()
    gemmStrided(m, n, k, js, ld + 1, ld, b, 1, n + 2, js, ld + 1 + k, ld, -1)
    simd?.(m, n, k, wasm, ld + 1, ld, b, 1, n + 2, wasm, ld + 1 + k, ld, -1)
    expect(sameBits(wasm, js)).toBe(true)
  })

  it('is what block tasks use, and a block task’s product equals the JavaScript kernel’s', () => {
    const probe = blockTask((_: Record<string, never>, kernels) => kernels.gemmStrided.name)
    expect(probe({})).toBe('gemmSimd')
    const [m, n, k] = [35, 21, 19]
    const a = seededArray(m * k, 16)
    const b = seededArray(k * n, 17)
    const expected = new Float64Array(m * n)
    gemmStrided(m, n, k, a, 0, k, b, 0, n, expected, 0, n, 1)
    const product = matmulBlock({ a: [a], b: [b], m, n, ks: [k], aT: false, bT: false, dtype: 'float64' })
    expect(sameBits(product, expected)).toBe(true)
  })
})

describe('donor sandboxes run the WebAssembly SIMD GEMM', () => {
  // The GEMM a block task picks, where it runs: the name of the kernel, and a product to compare.
  const probe = definePure(
    blockTask((args: { readonly [key: string]: unknown; a: Float64Array; b: Float64Array; m: number; n: number; k: number }, kernels) => {
      const c = new Float64Array(args.m * args.n)
      kernels.gemmInto(args.m, args.n, args.k, args.a, args.b, c, 1)
      return { gemm: kernels.gemmStrided.name, c }
    }),
    { name: 'bigmatrix.simdProbe' },
  )
  // Sizes in turn on one worker: the task keeps its kernels (and the SIMD GEMM's memory) from run to run, so a
  // run after a larger one reuses a larger memory, and a larger run after it needs a new one.
  const SIZES = [[13, 10, 9], [41, 36, 33], [5, 8, 4], [41, 36, 33], [64, 64, 64]] as const
  const runAt = (i: number) => {
    const [m, n, k] = SIZES[i % SIZES.length] as readonly [number, number, number]
    const args = { a: seededArray(m * k, 18 + i) as Float64Array, b: seededArray(k * n, 19 + i) as Float64Array, m, n, k }
    const expected = new Float64Array(m * n)
    gemmStrided(m, n, k, args.a, 0, k, args.b, 0, n, expected, 0, n, 1)
    return { args, expected }
  }

  // The kernel's memory declares exactly what the product needs (the WebAssembly budget counts declared maxima),
  // so it fits the budget of a small isolate too, run after run.
  it.each([
    ['a Node isolate (isolated-vm, hardened)', () => new IsolateExecutor({ workers: 1 }), 5],
    ['a Node isolate capped at 64 MB, 12 runs', () => new IsolateExecutor({ workers: 1, memoryLimitMb: 64 }), 12],
    ['a Node worker thread', () => new ThreadExecutor({ workers: 1 }), 5],
  ])('%s: the JavaScript kernel’s bits, whatever ran before on the same worker', async (_, make, runs) => {
    const executor = make()
    try {
      for (let run = 0; run < runs; run++) {
        const { args, expected } = runAt(run)
        const result = await executor.run(probe, args, { timeoutMs: 10_000 })
        expect(result.kind, JSON.stringify(result)).toBe('value')
        const value = (result as unknown as { value: { gemm: string; c: Float64Array } }).value
        expect(value.gemm).toBe('gemmSimd')
        expect(sameBits(value.c, expected), `run ${run}`).toBe(true)
      }
    } finally {
      await executor.close()
    }
  })
})
