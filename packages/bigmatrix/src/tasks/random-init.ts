import type { Block } from '../kernels/block.ts'
import type { Dtype } from '../header.ts'

/** What a lazy block's init function is called with; `params` is the matrix's own data for it. */
export interface BlockInitArgs<P = unknown> {
  readonly [key: string]: unknown
  readonly i: number
  readonly j: number
  readonly rows: number
  readonly cols: number
  /** The block's first row and column in the whole (stored) matrix. */
  readonly row0: number
  readonly col0: number
  readonly dtype: Dtype
  readonly params: P
}

export interface RandomInitParams {
  readonly [key: string]: unknown
  readonly seed: number
  /** Entries are uniform in [−scale, scale); default 1. */
  readonly scale?: number
  /** Added on the diagonal: with `symmetric`, n·scale or more makes the matrix positive definite. */
  readonly diagonal?: number
  /** Entry (r, c) equals entry (c, r). */
  readonly symmetric?: boolean
}

/**
 * A lazy block of a seeded random matrix: each entry is a hash of (seed, row,
 * column), so any block can be made alone, anywhere, and always comes out the
 * same. `scale: 0, diagonal: 1` is the identity.
 */
export function randomBlock({ rows, cols, row0, col0, dtype, params }: BlockInitArgs<RandomInitParams>): Block {
  const scale = params.scale ?? 1
  const diagonal = params.diagonal ?? 0
  const out = dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const gr = row0 + r
      const gc = col0 + c
      const lo = params.symmetric === true && gc < gr ? gc : gr
      const hi = params.symmetric === true && gc < gr ? gr : gc
      let h = Math.imul(params.seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(lo + 0x632be5ab, 0xc2b2ae35)
      h = Math.imul(h ^ (h >>> 16), 0x7feb352d) ^ Math.imul(hi + 0x27d4eb2f, 0x165667b1)
      h = Math.imul(h ^ (h >>> 15), 0x846ca68b)
      h ^= h >>> 16
      const u = (h >>> 0) / 4294967296
      out[r * cols + c] = scale * (2 * u - 1) + (gr === gc ? diagonal : 0)
    }
  }
  return out
}
