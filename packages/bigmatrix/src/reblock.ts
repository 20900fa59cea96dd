import type { ValueRef } from '@tessera/core'
import type { BatchOptions } from '@tessera/runtime'
import { BigMatrix } from './big-matrix.ts'
import { ShapeMismatchError } from './errors.ts'
import { blockKey, extentOf, gridOf } from './header.ts'
import { blockTasks } from './tasks/registry.ts'
import type { ReblockArgs, ReblockPiece } from './tasks/reblock-task.ts'

export type ReblockOptions = Pick<BatchOptions, 'signal' | 'onProgress'>

/** The spans of old blocks of size `from` that cover [start, start + length) along one dimension. */
function spans(start: number, length: number, from: number): Array<{ index: number; offset: number; size: number; at: number }> {
  const out: Array<{ index: number; offset: number; size: number; at: number }> = []
  for (let at = 0; at < length; ) {
    const index = Math.floor((start + at) / from)
    const offset = (start + at) % from
    const size = Math.min(from - offset, length - at)
    out.push({ index, offset, size, at })
    at += size
  }
  return out
}

/**
 * The same matrix cut into blocks of `blockShape`, as one wave of block tasks on
 * the swarm (one per new block, each fetching only the old blocks it overlaps).
 * A transposed view is cut in its stored orientation and stays a view.
 */
export async function reblock(matrix: BigMatrix, blockShape: readonly [number, number], options: ReblockOptions = {}): Promise<BigMatrix> {
  const ok = Array.isArray(blockShape) && blockShape.length === 2 && blockShape.every((n) => Number.isSafeInteger(n) && n > 0)
  if (!ok) throw new ShapeMismatchError(`blockShape must be two positive integers, got ${JSON.stringify(blockShape)}`)
  if (matrix.blockShape[0] === blockShape[0] && matrix.blockShape[1] === blockShape[1]) return matrix
  const flip = <T>(pair: readonly [T, T]): [T, T] => (matrix.transposed ? [pair[1], pair[0]] : [pair[0], pair[1]])
  // Storage coordinates throughout: the stored shape, the stored cut, the new stored cut.
  const shape = flip(matrix.shape)
  const oldCut = flip(matrix.blockShape)
  const newCut = flip(blockShape)
  const refs = await matrix.storedRefs()
  const [gi, gj] = gridOf(shape, newCut)
  const cells: Array<[number, number]> = []
  const argsList: ReblockArgs[] = []
  for (let i = 0; i < gi; i++) {
    for (let j = 0; j < gj; j++) {
      const rows = extentOf(shape[0], newCut[0], i)
      const cols = extentOf(shape[1], newCut[1], j)
      const pieces: ReblockPiece[] = []
      for (const r of spans(i * newCut[0], rows, oldCut[0])) {
        for (const c of spans(j * newCut[1], cols, oldCut[1])) {
          const ref = refs[r.index]?.[c.index] ?? null
          if (ref === null) continue
          pieces.push({
            // A link, typed as the block the donor turns it into.
            block: ref as unknown as ReblockPiece['block'],
            stride: extentOf(shape[1], oldCut[1], c.index),
            r0: r.offset,
            c0: c.offset,
            h: r.size,
            w: c.size,
            dr: r.at,
            dc: c.at,
          })
        }
      }
      cells.push([i, j])
      argsList.push({ pieces, rows, cols, dtype: matrix.dtype })
    }
  }
  const made = await blockTasks(matrix.swarm).reblock.parallelRefs(argsList, options)
  const blocks = new Map<string, ValueRef>()
  cells.forEach(([i, j], n) => blocks.set(blockKey(i, j), made[n] as ValueRef))
  const stored = await BigMatrix.fromBlocks(matrix.swarm, { shape, blockShape: newCut, dtype: matrix.dtype, blocks })
  return matrix.transposed ? stored.T : stored
}
