import type { ValueRef } from '@tessera/core'
import { ShapeMismatchError } from './errors.ts'
import { BigMatrix } from './big-matrix.ts'
import { blockKey, extentOf } from './header.ts'
import type { AlgorithmOptions } from './matmul.ts'
import { blockTasks } from './tasks/registry.ts'
import type { CholeskyPanelArgs, CholeskyUpdateArgs } from './tasks/cholesky-tasks.ts'
import type { Block } from './kernels/block.ts'

/** Observes each wave: its step, how many tasks it had, and how long it took end to end. */
export interface CholeskyOptions extends AlgorithmOptions {
  readonly onWave?: (wave: { readonly step: number; readonly tasks: number; readonly ms: number }) => void
}

/**
 * The lower Cholesky factor L (A = L·Lᵀ) of a symmetric positive-definite
 * matrix, right-looking and blocked, one wave of block tasks per step: step k
 * factors column k of L (each panel task also applies the update step k−1 owed
 * that column, and refactors the diagonal block itself) while the rest of the
 * trailing matrix takes step k−1's update. Only the lower triangle of A is read.
 * Each wave needs only the previous one's column of L, so waves follow the
 * dependencies exactly; every task is memoized on its input blocks.
 */
export async function cholesky(a: BigMatrix, options: CholeskyOptions = {}): Promise<BigMatrix> {
  const [n, n2] = a.shape
  const [bs, bs2] = a.blockShape
  if (n !== n2) throw new ShapeMismatchError(`Cholesky needs a square matrix, not ${n}×${n2}`)
  if (bs !== bs2) throw new ShapeMismatchError(`Cholesky needs square blocks, not ${bs}×${bs2}`)
  const tasks = blockTasks(a.swarm)
  const [g] = a.grid
  const size = (i: number): number => extentOf(n, bs, i)
  const stored = await a.storedRefs()
  // The trailing matrix, lower triangle only. A is symmetric, so A.T is A: a
  // transposed view's stored blocks are read as they are.
  const s: Array<Array<ValueRef | null>> = Array.from({ length: g }, (_, i) => Array.from({ length: i + 1 }, (_, j) => stored[i]?.[j] ?? null))
  const l: Array<Array<ValueRef | null>> = Array.from({ length: g }, () => [])
  const orZeros = (ref: ValueRef | null, length: number): Block | ValueRef => ref ?? new Float64Array(length)
  for (let k = 0; k < g; k++) {
    const started = performance.now()
    const panel: CholeskyPanelArgs[] = []
    for (let i = k; i < g; i++) {
      panel.push({
        diag: orZeros(s[k]?.[k] ?? null, size(k) * size(k)) as unknown as Block,
        diagPrev: (k === 0 ? null : (l[k]?.[k - 1] ?? null)) as unknown as Block | null,
        block: (i === k ? null : orZeros(s[i]?.[k] ?? null, size(i) * size(k))) as unknown as Block | null,
        prev: (k === 0 || i === k ? null : (l[i]?.[k - 1] ?? null)) as unknown as Block | null,
        n: size(k),
        m: size(i),
        w: k === 0 ? 0 : size(k - 1),
        dtype: a.dtype,
      })
    }
    const updates: CholeskyUpdateArgs[] = []
    const targets: Array<[number, number]> = []
    if (k > 0) {
      for (let i = k + 1; i < g; i++) {
        for (let j = k + 1; j <= i; j++) {
          targets.push([i, j])
          updates.push({
            c: orZeros(s[i]?.[j] ?? null, size(i) * size(j)) as unknown as Block,
            li: l[i]?.[k - 1] as unknown as Block,
            lj: l[j]?.[k - 1] as unknown as Block,
            m: size(i),
            n: size(j),
            w: size(k - 1),
            dtype: a.dtype,
          })
        }
      }
    }
    const [column, updated] = await Promise.all([tasks.choleskyPanel.parallelRefs(panel, options), tasks.choleskyUpdate.parallelRefs(updates, options)])
    column.forEach((ref, n) => ((l[k + n] as Array<ValueRef | null>)[k] = ref))
    targets.forEach(([i, j], n) => ((s[i] as Array<ValueRef | null>)[j] = updated[n] as ValueRef))
    options.onWave?.({ step: k, tasks: panel.length + updates.length, ms: performance.now() - started })
  }
  const blocks = new Map<string, ValueRef>()
  for (let i = 0; i < g; i++) for (let j = 0; j <= i; j++) blocks.set(blockKey(i, j), l[i]?.[j] as ValueRef)
  return BigMatrix.fromBlocks(a.swarm, { shape: [n, n], blockShape: [bs, bs], dtype: a.dtype, blocks })
}
