import type { Block } from '../kernels/block.ts'
import type { Dtype } from '../header.ts'

/** A rectangle copied from one source block into the new block. */
export interface ReblockPiece {
  readonly [key: string]: unknown
  /** The source block (a link the donor resolves), or null for a block of zeros. */
  readonly block: Block | null
  /** The source block's row length. */
  readonly stride: number
  /** Where the rectangle starts in the source block, its size, and where it goes in the new block. */
  readonly r0: number
  readonly c0: number
  readonly h: number
  readonly w: number
  readonly dr: number
  readonly dc: number
}

export interface ReblockArgs {
  readonly [key: string]: unknown
  readonly pieces: readonly ReblockPiece[]
  readonly rows: number
  readonly cols: number
  readonly dtype: Dtype
}

/**
 * One block of a matrix cut again on other lines: the rectangles of the old
 * blocks it overlaps, copied into place. Memoized on the old blocks' addresses
 * and the cut, like every block task.
 */
export const reblockBlock = ({ pieces, rows, cols, dtype }: ReblockArgs): Block => {
  const out = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols)
  for (const piece of pieces) {
    const source = piece.block
    if (source === null) continue
    if (source.length < (piece.r0 + piece.h - 1) * piece.stride + piece.c0 + piece.w) {
      const error = new Error(`a source block of ${source.length} elements is too small for rows ${piece.r0}..${piece.r0 + piece.h} of width ${piece.stride}`)
      error.name = 'ShapeMismatchError'
      throw error
    }
    for (let r = 0; r < piece.h; r++) {
      const from = (piece.r0 + r) * piece.stride + piece.c0
      out.set(source.subarray(from, from + piece.w), (piece.dr + r) * cols + piece.dc)
    }
  }
  return out
}
