import type { Block } from '../kernels/block.ts'
import type { Dtype } from '../header.ts'
import { blockTask } from './block-task.ts'

/**
 * One output block of C = A·B: the sum over p of A[i,p]·B[p,j]. The blocks
 * arrive as links (`{ "/": address }`) that the donor resolved, so the key of
 * this task is a function of the input blocks' contents. A null block is a
 * block of zeros, and its product is skipped. `aT`/`bT` say the operand is a
 * transposed view: its stored blocks are transposed here, not copied in the store.
 */
export interface MatmulBlockArgs {
  readonly [key: string]: unknown
  readonly a: ReadonlyArray<Block | null>
  readonly b: ReadonlyArray<Block | null>
  /** Rows of the output block, columns of it, and the inner size of each product. */
  readonly m: number
  readonly n: number
  readonly ks: readonly number[]
  readonly aT: boolean
  readonly bT: boolean
  readonly dtype: Dtype
}

export const matmulBlock = blockTask<MatmulBlockArgs, Block>(({ a, b, m, n, ks, aT, bT, dtype }, kernels) => {
  const c = new Float64Array(m * n)
  for (let p = 0; p < ks.length; p++) {
    const ap = a[p]
    const bp = b[p]
    if (ap === null || ap === undefined || bp === null || bp === undefined) continue
    const k = ks[p] as number
    if (ap.length !== m * k || bp.length !== k * n) {
      const error = new Error(`block product ${p}: A block has ${ap.length} elements and B block ${bp.length}, expected ${m}×${k} and ${k}×${n}`)
      error.name = 'ShapeMismatchError'
      throw error
    }
    kernels.gemmInto(m, n, k, aT ? kernels.transposeBlock(k, m, ap) : ap, bT ? kernels.transposeBlock(n, k, bp) : bp, c, 1)
  }
  return dtype === 'float32' ? Float32Array.from(c) : c
})
