import type { Block } from '../kernels/block.ts'
import type { Dtype } from '../header.ts'
import { blockTask } from './block-task.ts'

/**
 * Column k of L, one block per task, fused with the last trailing update that
 * column was still owed (from step k−1), so that a step of the right-looking
 * Cholesky is one wave instead of three. Every task refactors the diagonal
 * block (n³/3 flops, cheaper than a wave's round trip):
 *   D = S[k,k] − L[k,k−1]·L[k,k−1]ᵀ,  L[k,k] = chol(D),
 *   L[i,k] = (S[i,k] − L[i,k−1]·L[k,k−1]ᵀ) · L[k,k]⁻ᵀ   (i > k; `block` is S[i,k]).
 */
export interface CholeskyPanelArgs {
  readonly [key: string]: unknown
  readonly diag: Block
  readonly diagPrev: Block | null
  readonly block: Block | null
  readonly prev: Block | null
  /** Size of the diagonal block, rows of `block`, and columns of the previous L column. */
  readonly n: number
  readonly m: number
  readonly w: number
  readonly dtype: Dtype
}

export const choleskyPanel = blockTask<CholeskyPanelArgs, Block>(({ diag, diagPrev, block, prev, n, m, w, dtype }, kernels) => {
  const d = Float64Array.from(diag)
  if (diagPrev !== null) kernels.gemmInto(n, n, w, diagPrev, kernels.transposeBlock(n, w, diagPrev), d, -1)
  const l = kernels.potrf(n, d, kernels.gemmStrided)
  if (block === null) return dtype === 'float32' ? Float32Array.from(l) : l
  const s = Float64Array.from(block)
  if (prev !== null && diagPrev !== null) kernels.gemmInto(m, n, w, prev, kernels.transposeBlock(n, w, diagPrev), s, -1)
  const x = kernels.trsmLowerTranspose(m, n, l, s, kernels.gemmStrided)
  return dtype === 'float32' ? Float32Array.from(x) : x
})

/** A trailing update of step k: S[i,j] − L[i,k]·L[j,k]ᵀ, for a block that is not in the next panel. */
export interface CholeskyUpdateArgs {
  readonly [key: string]: unknown
  readonly c: Block
  readonly li: Block
  readonly lj: Block
  readonly m: number
  readonly n: number
  readonly w: number
  readonly dtype: Dtype
}

export const choleskyUpdate = blockTask<CholeskyUpdateArgs, Block>(({ c, li, lj, m, n, w, dtype }, kernels) => {
  const out = Float64Array.from(c)
  kernels.gemmInto(m, n, w, li, kernels.transposeBlock(n, w, lj), out, -1)
  return dtype === 'float32' ? Float32Array.from(out) : out
})
