import type { ValueRef } from '@tessera/core'
import type { TaskRef } from '@tessera/runtime'
import { ShapeMismatchError } from './errors.ts'
import { BigMatrix } from './big-matrix.ts'
import { blockKey, extentOf } from './header.ts'
import type { AlgorithmOptions } from './matmul.ts'
import { blockTasks } from './tasks/registry.ts'
import type { CholeskyPanelArgs, CholeskyUpdateArgs } from './tasks/cholesky-tasks.ts'
import type { Block } from './kernels/block.ts'

export type CholeskyOptions = Pick<AlgorithmOptions, 'signal'>

/** A block as a task's argument: stored (a value link), made by another task of the graph (a ref), or zeros. */
type BlockInput = ValueRef | TaskRef | Block

/**
 * The lower Cholesky factor L (A = L·Lᵀ) of a symmetric positive-definite
 * matrix, right-looking and blocked, as one graph of block tasks (issue 18):
 * step k factors column k of L (each panel task also applies the update step
 * k−1 owed that column, and refactors the diagonal block itself) while the
 * rest of the trailing matrix takes step k−1's update. Each task names the
 * tasks whose blocks it needs by their refs, so a donor starts it the moment
 * those exist: no wave waits for the slowest task of the one before, and the
 * submitter is not in the loop (it publishes the graph, then waits only for
 * L's blocks). Only the lower triangle of A is read; every task is memoized on
 * its input blocks.
 */
export async function cholesky(a: BigMatrix, options: CholeskyOptions = {}): Promise<BigMatrix> {
  const [n, n2] = a.shape
  const [bs, bs2] = a.blockShape
  if (n !== n2) throw new ShapeMismatchError(`Cholesky needs a square matrix, not ${n}×${n2}`)
  if (bs !== bs2) throw new ShapeMismatchError(`Cholesky needs square blocks, not ${bs}×${bs2}`)
  const { swarm } = a
  const tasks = blockTasks(swarm)
  const [g] = a.grid
  const size = (i: number): number => extentOf(n, bs, i)
  const graph = swarm.graph()
  // A's lazy blocks join the graph too, so the first panels start as soon as their own blocks exist.
  const stored = a.blockInputs(graph, (i, j) => j <= i)
  // The trailing matrix, lower triangle only. A is symmetric, so A.T is A: a
  // transposed view's stored blocks are read as they are.
  const s: BlockInput[][] = Array.from({ length: g }, (_, i) =>
    Array.from({ length: i + 1 }, (_, j) => stored[i]?.[j] ?? new Float64Array(size(i) * size(j))),
  )
  const l: TaskRef[][] = Array.from({ length: g }, () => [])
  // Typed as the blocks the donor turns links and refs into.
  const block = (input: BlockInput | undefined): Block => input as unknown as Block
  for (let k = 0; k < g; k++) {
    for (let i = k; i < g; i++) {
      const args: CholeskyPanelArgs = {
        diag: block(s[k]?.[k]),
        diagPrev: k === 0 ? null : block(l[k]?.[k - 1]),
        block: i === k ? null : block(s[i]?.[k]),
        prev: k === 0 || i === k ? null : block(l[i]?.[k - 1]),
        n: size(k),
        m: size(i),
        w: k === 0 ? 0 : size(k - 1),
        dtype: a.dtype,
      }
      ;(l[i] as TaskRef[])[k] = graph.add(tasks.choleskyPanel, args)
    }
    if (k === 0) continue
    for (let i = k + 1; i < g; i++) {
      for (let j = k + 1; j <= i; j++) {
        const args: CholeskyUpdateArgs = {
          c: block(s[i]?.[j]),
          li: block(l[i]?.[k - 1]),
          lj: block(l[j]?.[k - 1]),
          m: size(i),
          n: size(j),
          w: size(k - 1),
          dtype: a.dtype,
        }
        ;(s[i] as BlockInput[])[j] = graph.add(tasks.choleskyUpdate, args)
      }
    }
  }
  await graph.submit()
  const cells: Array<[number, number]> = []
  for (let i = 0; i < g; i++) for (let j = 0; j <= i; j++) cells.push([i, j])
  const made = await swarm.resultRefs(
    cells.map(([i, j]) => l[i]?.[j] as TaskRef),
    options,
  )
  const blocks = new Map<string, ValueRef>()
  cells.forEach(([i, j], index) => blocks.set(blockKey(i, j), made[index] as ValueRef))
  return BigMatrix.fromBlocks(swarm, { shape: [n, n], blockShape: [bs, bs], dtype: a.dtype, blocks })
}
