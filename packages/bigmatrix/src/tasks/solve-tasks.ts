import type { Block } from '../kernels/block.ts'
import type { Dtype } from '../header.ts'
import { blockTask } from './block-task.ts'

/**
 * One block of X in a blocked triangular solve T·X = B, fused with the last
 * update that block was still owed (from the step before), as the Cholesky
 * panel task is: X[r] = T[r,r]⁻¹ (S[r] − T[r,p]·X[p]), where S[r] is B[r] less
 * the earlier steps' updates and p the step before r. T is lower (forward
 * substitution) or upper (backward, `upper`). Each block arrives as stored,
 * and a flag says to transpose it here: a transposed view, or Lᵀ read from L.
 * A null `rhs` is a block of zeros; a null `coef` means T[r,p] is zeros.
 */
export interface SolveBlockArgs {
  readonly [key: string]: unknown
  readonly diag: Block
  readonly diagT: boolean
  readonly upper: boolean
  readonly rhs: Block | null
  readonly rhsT: boolean
  readonly coef: Block | null
  readonly coefT: boolean
  readonly prevX: Block | null
  /** Rows of this block of X (the diagonal block's size), its columns, and the rows of the previous block of X. */
  readonly n: number
  readonly c: number
  readonly w: number
  readonly dtype: Dtype
}

export const solveBlock = blockTask<SolveBlockArgs, Block>(({ diag, diagT, upper, rhs, rhsT, coef, coefT, prevX, n, c, w, dtype }, kernels) => {
  const fail = (message: string): never => {
    const error = new Error(message)
    error.name = 'ShapeMismatchError'
    throw error
  }
  if (diag.length !== n * n) fail(`the diagonal block has ${diag.length} elements, expected ${n}×${n}`)
  const s = rhs === null ? new Float64Array(n * c) : Float64Array.from(rhsT ? kernels.transposeBlock(c, n, rhs) : rhs)
  if (s.length !== n * c) fail(`a block of B has ${s.length} elements, expected ${n}×${c}`)
  if (coef !== null && prevX !== null) kernels.gemmInto(n, c, w, coefT ? kernels.transposeBlock(w, n, coef) : coef, prevX, s, -1)
  const t = diagT ? kernels.transposeBlock(n, n, diag) : diag
  // A lower M: X = M⁻¹S, so Xᵀ = Sᵀ·M⁻ᵀ, which the Cholesky panel kernel solves with GEMMs.
  const lowerSolve = (m: Block, rhsBlock: Block): Block => kernels.transposeBlock(c, n, kernels.trsmLowerTranspose(c, n, m, kernels.transposeBlock(n, c, rhsBlock), kernels.gemmStrided))
  for (let i = 0; i < n; i++) {
    const pivot = t[i * n + i] as number
    if (pivot === 0 || !Number.isFinite(pivot)) throw new RangeError(`the triangular matrix is singular (diagonal entry ${i} of a diagonal block is ${pivot})`)
  }
  let x: Block
  if (!upper) x = lowerSolve(t, s)
  else {
    // An upper U: reversing rows and columns makes it lower, J·U·J, and U·X = S is (J·U·J)·(J·X) = J·S.
    const reversed = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) reversed[i * n + j] = t[(n - 1 - i) * n + (n - 1 - j)] as number
    const flipRows = (b: Block): Float64Array => {
      const out = new Float64Array(n * c)
      for (let i = 0; i < n; i++) out.set(b.subarray((n - 1 - i) * c, (n - i) * c), i * c)
      return out
    }
    x = flipRows(lowerSolve(reversed, flipRows(s)))
  }
  return dtype === 'float32' ? Float32Array.from(x) : x
})

/** An update of the solve that is not fused into a block's own task: S[r] − T[r,k]·X[k]. */
export interface SolveUpdateArgs {
  readonly [key: string]: unknown
  readonly rhs: Block | null
  readonly rhsT: boolean
  readonly coef: Block
  readonly coefT: boolean
  readonly x: Block
  /** Rows of S[r], its columns, and the rows of X[k]. */
  readonly m: number
  readonly c: number
  readonly w: number
  readonly dtype: Dtype
}

export const solveUpdate = blockTask<SolveUpdateArgs, Block>(({ rhs, rhsT, coef, coefT, x, m, c, w, dtype }, kernels) => {
  const s = rhs === null ? new Float64Array(m * c) : Float64Array.from(rhsT ? kernels.transposeBlock(c, m, rhs) : rhs)
  if (s.length !== m * c || coef.length !== m * w || x.length !== w * c) {
    const error = new Error(`an update of ${s.length} elements by ${coef.length} and ${x.length}, expected ${m}×${c}, ${m}×${w} and ${w}×${c}`)
    error.name = 'ShapeMismatchError'
    throw error
  }
  kernels.gemmInto(m, c, w, coefT ? kernels.transposeBlock(w, m, coef) : coef, x, s, -1)
  return dtype === 'float32' ? Float32Array.from(s) : s
})
