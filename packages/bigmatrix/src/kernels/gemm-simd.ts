import type { Block } from './block.ts'
import type { gemmStrided } from './gemm.ts'

type Gemm = typeof gemmStrided

/**
 * A GEMM with `gemmStrided`'s signature whose 4×4 tiles run in WebAssembly
 * with f64x2 SIMD (`wasm/gemm-simd.wat`, assembled into `wasmBytes`), or null
 * where WebAssembly or its SIMD is missing. Self-contained like every kernel:
 * it is declared inside each block task, which compiles it once per run.
 *
 * The operands and C's corner are copied into a memory sized to the call as float64
 * (exact for float32 too), the module updates C to `c + alpha·sum` exactly as
 * `gemmStrided` does, and C is copied back; the rows and columns past
 * the last multiple of 4 go to `gemmStrided` itself. Every sum is formed in the
 * same order with the same roundings, so the result is bit-identical to
 * `gemmStrided`'s. A and C may be disjoint parts of one array (the Cholesky
 * kernels pass them so): A is copied before any of C is written back.
 */
export function simdGemm(wasmBytes: readonly number[], fallback: Gemm): Gemm | null {
  type Panel = (j: number, m4: number, n4: number, k: number, a: number, b: number, pan: number, c: number, alpha: number) => void
  let module: WebAssembly.Module
  try {
    // Compiling checks SIMD support once; memory comes with the first call that needs it.
    module = new WebAssembly.Module(new Uint8Array(wasmBytes))
  } catch {
    return null
  }
  let panel: Panel | undefined
  let heap = new Float64Array(0)
  // A memory exactly as large as the call needs, declared so: a donor's WebAssembly budget counts declared maxima
  // (docs/security/sandbox.md), and an exact one leaves the most room for the tasks that follow on the same isolate.
  const fit = (bytes: number): boolean => {
    const pages = Math.ceil(bytes / 65536)
    try {
      const memory = new WebAssembly.Memory({ initial: pages, maximum: pages })
      panel = new WebAssembly.Instance(module, { kernel: { memory } }).exports.panel as Panel
      heap = new Float64Array(memory.buffer)
      return true
    } catch {
      return false
    }
  }
  return function gemmSimd(
    m: number, n: number, k: number,
    a: Block, aOff: number, lda: number,
    b: Block, bOff: number, ldb: number,
    c: Block, cOff: number, ldc: number,
    alpha: number,
  ): void {
    const m4 = m - (m % 4)
    const n4 = n - (n % 4)
    if (m4 === 0 || n4 === 0 || k === 0) {
      fallback(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, alpha)
      return
    }
    // In doubles: the packed panel (k×4), then A (m4×k), B (k×n4) and C's m4×n4 corner.
    const aAt = 4 * k
    const bAt = aAt + m4 * k
    const cAt = bAt + k * n4
    const bytes = (cAt + m4 * n4) * 8
    if (bytes > heap.byteLength && !fit(bytes)) {
      // No room for the operands' copies here: the JavaScript kernel needs none, and gives the same bits.
      fallback(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, alpha)
      return
    }
    const run = panel as Panel
    if (lda === k) heap.set(a.subarray(aOff, aOff + m4 * k), aAt)
    else for (let i = 0; i < m4; i++) heap.set(a.subarray(aOff + i * lda, aOff + i * lda + k), aAt + i * k)
    for (let p = 0; p < k; p++) heap.set(b.subarray(bOff + p * ldb, bOff + p * ldb + n4), bAt + p * n4)
    for (let i = 0; i < m4; i++) heap.set(c.subarray(cOff + i * ldc, cOff + i * ldc + n4), cAt + i * n4)
    for (let j = 0; j < n4; j += 4) run(j, m4, n4, k, aAt * 8, bAt * 8, 0, cAt * 8, alpha)
    // Copied back by the engine's own loops (a float32 C rounds here, as an assignment would),
    // not element by element: plain JavaScript loops run slower in a hardened realm.
    for (let i = 0; i < m4; i++) c.set(heap.subarray(cAt + i * n4, cAt + i * n4 + n4), cOff + i * ldc)
    if (m4 < m) fallback(m - m4, n4, k, a, aOff + m4 * lda, lda, b, bOff, ldb, c, cOff + m4 * ldc, ldc, alpha)
    if (n4 < n) fallback(m, n - n4, k, a, aOff, lda, b, bOff + n4, ldb, c, cOff + n4, ldc, alpha)
  }
}
