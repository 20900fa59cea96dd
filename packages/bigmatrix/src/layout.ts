import type { Block } from './kernels/block.ts'

/** Where block (i, j) of a row-major matrix with `cols` columns, cut in `blockShape` blocks, starts, and its size. */
interface BlockPlace {
  readonly cols: number
  readonly blockShape: readonly [number, number]
  readonly i: number
  readonly j: number
  /** The block's own rows and columns (the last row and column of blocks may be short). */
  readonly h: number
  readonly w: number
}

/** Copies block (i, j) out of a whole row-major matrix. */
export function cutBlock(data: Block, place: BlockPlace): Block {
  const { cols, blockShape, i, j, h, w } = place
  const block = data instanceof Float32Array ? new Float32Array(h * w) : new Float64Array(h * w)
  for (let r = 0; r < h; r++) {
    const from = (i * blockShape[0] + r) * cols + j * blockShape[1]
    block.set(data.subarray(from, from + w), r * w)
  }
  return block
}

/** Copies a block into its place in a whole row-major matrix. */
export function placeBlock(out: Block, block: Block, place: BlockPlace): void {
  const { cols, blockShape, i, j, h, w } = place
  for (let r = 0; r < h; r++) out.set(block.subarray(r * w, (r + 1) * w), (i * blockShape[0] + r) * cols + j * blockShape[1])
}
