import type { ValueRef } from '@tessera/core'
import type { TaskRef } from '@tessera/runtime'
import { DtypeMismatchError, ShapeMismatchError } from './errors.ts'
import { BigMatrix } from './big-matrix.ts'
import { cholesky } from './cholesky.ts'
import { blockKey, extentOf } from './header.ts'
import type { AlgorithmOptions } from './matmul.ts'
import { reblock } from './reblock.ts'
import { blockTasks } from './tasks/registry.ts'
import type { SolveBlockArgs, SolveUpdateArgs } from './tasks/solve-tasks.ts'
import type { Block } from './kernels/block.ts'

export interface SolveOptions extends AlgorithmOptions {
  /** Solve Lᵀ·X = B (backward substitution) with the same blocks of L, instead of L·X = B. */
  readonly transpose?: boolean
  /** When B's row blocks differ from L's blocks, cut B again to match instead of throwing. */
  readonly reblock?: boolean
}

/** A block as a task's argument (a stored block's link, a ref to the task that makes it, or null for zeros), and whether the donor transposes it. */
interface Operand {
  readonly block: ValueRef | TaskRef | null
  readonly transposed: boolean
}

// Typed as the blocks the donor turns links and refs into.
const asBlock = (input: Operand['block']): Block | null => input as unknown as Block | null

/**
 * X with L·X = B (or Lᵀ·X = B with `transpose`) for a lower-triangular L with
 * square blocks (what `cholesky` returns) and a B of any number of columns,
 * as one graph of block tasks: per block column of B, block r of X is
 * L[r,r]⁻¹ (B[r] − Σₖ L[r,k]·X[k]), with each update a task that names the
 * block of X it needs by ref, so it starts the moment that block exists, and
 * the last update each block is owed fused into the task that solves it (as
 * Cholesky's panel tasks do). Block columns are independent and run side by
 * side. Only L's lower triangle of blocks is read (the upper triangle of a
 * transposed view); every task is memoized on its input blocks.
 */
export async function triangularSolve(l: BigMatrix, b: BigMatrix, options: SolveOptions = {}): Promise<BigMatrix> {
  if (l.dtype !== b.dtype) throw new DtypeMismatchError(`cannot solve with a ${l.dtype} matrix for a ${b.dtype} matrix`)
  const [n, n2] = l.shape
  const [bs, bs2] = l.blockShape
  if (n !== n2) throw new ShapeMismatchError(`a triangular solve needs a square matrix, not ${n}×${n2}`)
  if (bs !== bs2) throw new ShapeMismatchError(`a triangular solve needs square blocks, not ${bs}×${bs2}`)
  const [rows, cols] = b.shape
  if (rows !== n) throw new ShapeMismatchError(`cannot solve with a ${n}×${n} matrix for ${rows}×${cols}: B needs ${n} rows`)
  if (b.blockShape[0] !== bs) {
    if (options.reblock !== true) throw new ShapeMismatchError(`B's row blocks (${b.blockShape[0]}) must match L's blocks (${bs}); pass { reblock: true } to cut B again`)
    return triangularSolve(l, await reblock(b, [bs, b.blockShape[1]], options), { ...options, reblock: false })
  }
  const { swarm } = l
  const tasks = blockTasks(swarm)
  const upper = options.transpose === true
  const graph = swarm.graph()
  // Stored coordinates: a transposed view keeps the lower triangle of the matrix it shows in its stored upper one.
  const lInputs = l.blockInputs(graph, (i, j) => (l.transposed ? i <= j : j <= i))
  const bInputs = b.blockInputs(graph)
  // The block (r, c) of the triangular factor the solve runs on: L[r,c], or for Lᵀ, L[c,r] transposed.
  const flip = upper !== l.transposed
  const coef = (r: number, c: number): Operand => (flip ? { block: lInputs[c]?.[r] ?? null, transposed: true } : { block: lInputs[r]?.[c] ?? null, transposed: false })
  const rhs = (r: number, j: number): Operand => (b.transposed ? { block: bInputs[j]?.[r] ?? null, transposed: true } : { block: bInputs[r]?.[j] ?? null, transposed: false })
  const [g] = l.grid
  const [, h] = b.grid
  const size = (r: number): number => extentOf(n, bs, r)
  // Forward substitution runs down the rows; backward (Lᵀ is upper) runs up them.
  const order = Array.from({ length: g }, (_, t) => (upper ? g - 1 - t : t))
  const x: TaskRef[][] = Array.from({ length: g }, () => [])
  for (let j = 0; j < h; j++) {
    const c = extentOf(cols, b.blockShape[1], j)
    const pending: Operand[] = Array.from({ length: g }, (_, r) => rhs(r, j))
    for (let t = 0; t < g; t++) {
      const r = order[t] as number
      const p = t === 0 ? undefined : (order[t - 1] as number)
      const diag = coef(r, r)
      if (diag.block === null) throw new RangeError(`the triangular matrix is singular: its diagonal block (${r}, ${r}) is zeros`)
      const owed = p === undefined ? null : coef(r, p)
      const s = pending[r] as Operand
      const args: SolveBlockArgs = {
        diag: asBlock(diag.block) as Block,
        diagT: diag.transposed,
        upper,
        rhs: asBlock(s.block),
        rhsT: s.transposed,
        coef: owed === null ? null : asBlock(owed.block),
        coefT: owed?.transposed ?? false,
        prevX: p === undefined || owed?.block === null ? null : asBlock(x[p]?.[j] as TaskRef),
        n: size(r),
        c,
        w: p === undefined ? 0 : size(p),
        dtype: l.dtype,
      }
      ;(x[r] as TaskRef[])[j] = graph.add(tasks.solveBlock, args)
      // This step's updates of the rows after the next one (the next row's is fused into its own solve).
      for (let u = t + 2; u < g; u++) {
        const q = order[u] as number
        const term = coef(q, r)
        if (term.block === null) continue
        const into = pending[q] as Operand
        const update: SolveUpdateArgs = {
          rhs: asBlock(into.block),
          rhsT: into.transposed,
          coef: asBlock(term.block) as Block,
          coefT: term.transposed,
          x: asBlock(x[r]?.[j] as TaskRef) as Block,
          m: size(q),
          c,
          w: size(r),
          dtype: l.dtype,
        }
        pending[q] = { block: graph.add(tasks.solveUpdate, update), transposed: false }
      }
    }
  }
  await graph.submit()
  const cells: Array<[number, number]> = []
  for (let r = 0; r < g; r++) for (let j = 0; j < h; j++) cells.push([r, j])
  const made = await swarm.resultRefs(
    cells.map(([r, j]) => x[r]?.[j] as TaskRef),
    options,
  )
  const blocks = new Map<string, ValueRef>()
  cells.forEach(([r, j], index) => blocks.set(blockKey(r, j), made[index] as ValueRef))
  return BigMatrix.fromBlocks(swarm, { shape: [n, cols], blockShape: [bs, b.blockShape[1]], dtype: l.dtype, blocks })
}

/**
 * X with A·X = B for a symmetric positive-definite A: its Cholesky factor L,
 * then L·Y = B and Lᵀ·X = Y, three graphs of block tasks.
 */
export async function choleskySolve(a: BigMatrix, b: BigMatrix, options: Omit<SolveOptions, 'transpose'> = {}): Promise<BigMatrix> {
  if (a.shape[0] !== b.shape[0]) throw new ShapeMismatchError(`cannot solve with a ${a.shape[0]}×${a.shape[1]} matrix for ${b.shape[0]}×${b.shape[1]}: B needs ${a.shape[0]} rows`)
  if (a.dtype !== b.dtype) throw new DtypeMismatchError(`cannot solve with a ${a.dtype} matrix for a ${b.dtype} matrix`)
  const l = await cholesky(a, { signal: options.signal })
  const y = await triangularSolve(l, b, options)
  return triangularSolve(l, y, { ...options, transpose: true })
}
