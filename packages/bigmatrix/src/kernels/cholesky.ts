import type { Block } from './block.ts'
import type { gemmStrided } from './gemm.ts'

// Self-contained like every kernel (see gemm.ts). Both blocked kernels work in
// chunks of 64 columns, so that nearly all their flops go through the GEMM they
// are given: a parameter, not an import, because module loaders rewrite calls
// to imported functions (Vite's SSR into `__vite_ssr_import_0__.gemmStrided`),
// and the source shipped to donors must call it by a name it declares itself.
type Gemm = typeof gemmStrided

/** In place: the lower Cholesky factor of the w×w block at `off` (row stride `ld`) of a float64 work array. */
export function potrfUnblocked(work: Float64Array, off: number, ld: number, w: number, pivotBase: number): void {
  for (let j = 0; j < w; j++) {
    const rj = off + j * ld
    let d = work[rj + j] as number
    for (let p = 0; p < j; p++) d -= (work[rj + p] as number) * (work[rj + p] as number)
    if (!(d > 0)) throw new RangeError(`the matrix is not positive definite (pivot ${pivotBase + j} of a diagonal block is ${d})`)
    const pivot = Math.sqrt(d)
    work[rj + j] = pivot
    for (let i = j + 1; i < w; i++) {
      const ri = off + i * ld
      let s = work[ri + j] as number
      for (let p = 0; p < j; p++) s -= (work[ri + p] as number) * (work[rj + p] as number)
      work[ri + j] = s / pivot
    }
  }
}

/** In place: X · Lᵀ = B for the m×w block of `x` at `xOff` (stride `ldx`) and the lower w×w L at `lOff` (stride `ldl`). */
export function trsmUnblocked(m: number, w: number, l: Block, lOff: number, ldl: number, x: Float64Array, xOff: number, ldx: number): void {
  for (let r = 0; r < m; r++) {
    const rx = xOff + r * ldx
    for (let j = 0; j < w; j++) {
      const lj = lOff + j * ldl
      let s = x[rx + j] as number
      for (let p = 0; p < j; p++) s -= (l[lj + p] as number) * (x[rx + p] as number)
      x[rx + j] = s / (l[lj + j] as number)
    }
  }
}

/**
 * The lower Cholesky factor L of a symmetric positive-definite n×n block (only
 * its lower triangle is read), as a new block of the same element type with
 * zeros above the diagonal; accumulates in float64. Right-looking by chunks:
 * factor the diagonal chunk, solve the panel below it, update the trailing
 * matrix with one GEMM. Throws a RangeError when a pivot is not positive.
 */
export function potrf(n: number, a: Block, gemm: Gemm): Block {
  const work = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) work[i * n + j] = a[i * n + j] as number
  for (let j0 = 0; j0 < n; j0 += 64) {
    const w = Math.min(64, n - j0)
    potrfUnblocked(work, j0 * n + j0, n, w, j0)
    const rows = n - j0 - w
    if (rows === 0) continue
    const below = (j0 + w) * n + j0
    trsmUnblocked(rows, w, work, j0 * n + j0, n, work, below, n)
    const panelT = new Float64Array(w * rows)
    for (let r = 0; r < rows; r++) for (let c = 0; c < w; c++) panelT[c * rows + r] = work[below + r * n + c] as number
    // The whole trailing square is updated (its upper half is never read), at GEMM speed.
    gemm(rows, rows, w, work, below, n, panelT, 0, rows, work, below + w, n, -1)
  }
  const l = a instanceof Float32Array ? new Float32Array(n * n) : new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) l[i * n + j] = work[i * n + j] as number
  return l
}

/**
 * X = B · L⁻ᵀ for an m×n block B and a lower-triangular n×n L: the panel solve
 * of a right-looking Cholesky. By chunks of columns: subtract what the solved
 * columns contribute (one GEMM), then solve the chunk by substitution.
 */
export function trsmLowerTranspose(m: number, n: number, l: Block, b: Block, gemm: Gemm): Block {
  const x = Float64Array.from(b)
  for (let j0 = 0; j0 < n; j0 += 64) {
    const w = Math.min(64, n - j0)
    if (j0 > 0) {
      const lT = new Float64Array(j0 * w)
      for (let c = 0; c < w; c++) for (let p = 0; p < j0; p++) lT[p * w + c] = l[(j0 + c) * n + p] as number
      gemm(m, w, j0, x, 0, n, lT, 0, w, x, j0, n, -1)
    }
    trsmUnblocked(m, w, l, j0 * n + j0, n, x, j0, n)
  }
  return b instanceof Float32Array ? Float32Array.from(x) : x
}
