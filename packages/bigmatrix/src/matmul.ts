import type { ValueRef } from '@tessera/core'
import type { BatchOptions, TaskRef } from '@tessera/runtime'
import { DtypeMismatchError, ShapeMismatchError } from './errors.ts'
import { BigMatrix } from './big-matrix.ts'
import { blockKey, extentOf } from './header.ts'
import { reblock } from './reblock.ts'
import { blockTasks } from './tasks/registry.ts'
import type { MatmulBlockArgs } from './tasks/matmul-task.ts'

export type AlgorithmOptions = Pick<BatchOptions, 'signal' | 'onProgress'>

type BlockInputs = ReturnType<BigMatrix['blockInputs']>

export interface MatmulOptions extends AlgorithmOptions {
  /**
   * When A's column blocks differ from B's row blocks, cut the smaller operand
   * again to match (one more wave of tasks) instead of throwing.
   */
  readonly reblock?: boolean
}

/**
 * C = A·B as one graph of block tasks, one per output block, each summing
 * A[i,p]·B[p,j] over p. The inputs' lazy blocks are tasks of the same graph,
 * so a product starts once its own inputs exist. Every block travels as a
 * link or a ref: a donor fetches the blocks it needs by hash from whichever
 * peer holds them, and C's blocks stay where they were computed. Every task is memoized on its input blocks'
 * addresses, so a rerun, or a run cut short by churn, recomputes only what is
 * missing. C is blocked like A's rows and B's columns; A's column blocks must
 * match B's row blocks, or `reblock: true` cuts the smaller operand to match.
 */
export async function matmul(a: BigMatrix, b: BigMatrix, options: MatmulOptions = {}): Promise<BigMatrix> {
  if (a.dtype !== b.dtype) throw new DtypeMismatchError(`cannot multiply a ${a.dtype} matrix by a ${b.dtype} matrix`)
  const [m, k] = a.shape
  const [k2, n] = b.shape
  if (k !== k2) throw new ShapeMismatchError(`cannot multiply ${m}×${k} by ${k2}×${n}: inner sizes differ`)
  if (a.blockShape[1] !== b.blockShape[0]) {
    if (options.reblock !== true) {
      throw new ShapeMismatchError(`A's column blocks (${a.blockShape[1]}) must match B's row blocks (${b.blockShape[0]}); pass { reblock: true } to cut one of them again`)
    }
    // Cutting the smaller operand moves fewer bytes; C keeps A's row blocks and B's column blocks either way.
    if (m * k <= k * n) return matmul(await reblock(a, [a.blockShape[0], b.blockShape[0]], options), b, options)
    return matmul(a, await reblock(b, [a.blockShape[1], b.blockShape[1]], options), options)
  }
  const swarm = a.swarm
  // One graph: the operands' lazy blocks and the products together, so a product starts as soon
  // as its own input blocks exist, not after every input block of both operands was made.
  const graph = swarm.graph()
  const [inputsA, inputsB] = [a.blockInputs(graph), b.blockInputs(graph)]
  const at = (matrix: BigMatrix, inputs: BlockInputs, i: number, j: number): BlockInputs[number][number] =>
    (matrix.transposed ? inputs[j]?.[i] : inputs[i]?.[j]) ?? null
  const [gi] = a.grid
  const [, gj] = b.grid
  const [, gk] = a.grid
  const ks = Array.from({ length: gk }, (_, p) => extentOf(k, a.blockShape[1], p))
  const cells: Array<[number, number]> = []
  const products: TaskRef[] = []
  for (let i = 0; i < gi; i++) {
    for (let j = 0; j < gj; j++) {
      cells.push([i, j])
      const args: MatmulBlockArgs = {
        // Links and refs, typed as the blocks the donor turns them into.
        a: ks.map((_, p) => at(a, inputsA, i, p)) as unknown as MatmulBlockArgs['a'],
        b: ks.map((_, p) => at(b, inputsB, p, j)) as unknown as MatmulBlockArgs['b'],
        m: extentOf(m, a.blockShape[0], i),
        n: extentOf(n, b.blockShape[1], j),
        ks,
        aT: a.transposed,
        bT: b.transposed,
        dtype: a.dtype,
      }
      // C's block row i stays with A's (the inputs' placement), ready to be the next product's A.
      products.push(graph.add(blockTasks(swarm).matmul, args, { affinity: i }))
    }
  }
  await graph.submit()
  const refs = await swarm.resultRefs(products, options)
  const blocks = new Map<string, ValueRef>()
  cells.forEach(([i, j], index) => blocks.set(blockKey(i, j), refs[index] as ValueRef))
  return BigMatrix.fromBlocks(swarm, { shape: [m, n], blockShape: [a.blockShape[0], b.blockShape[1]], dtype: a.dtype, blocks })
}
