import { describe, expect, it } from 'vitest'
import { BigMatrix, choleskySolve, DtypeMismatchError, ShapeMismatchError, timeOnDonors, triangularSolve } from '@tessera/bigmatrix'
import { useOfflineSwarm } from './support/offline-swarm.ts'
import { maxAbsDiff, referenceLowerSolve, referenceMatmul, referenceTranspose, seededArray } from './support/reference.ts'

const offlineSwarm = useOfflineSwarm()

// The triangles below have n on the diagonal and entries in [−1, 1) elsewhere:
// well conditioned, so float64 agrees with plain substitution to far under 1e-9·n.
const F64_TOLERANCE = (n: number): number => 1e-9 * n
const F32_TOLERANCE = (n: number): number => 1e-4 * n

/** An n×n matrix whose lower triangle is a well-conditioned L, with junk above the diagonal that a solve must not read. */
function lowerWithJunk(n: number, seed: number, type: 'float64' | 'float32' = 'float64'): Float64Array | Float32Array {
  const l = seededArray(n * n, seed, type)
  for (let i = 0; i < n; i++) l[i * n + i] = n
  return l
}

describe('triangularSolve: forward and backward substitution as one graph of block tasks', () => {
  it('solves L·X = B and Lᵀ·X = B for a 70×70 L in 32×32 blocks and a 70×45 B, reading only L’s lower triangle; a rerun executes nothing', async () => {
    const swarm = await offlineSwarm()
    const [n, c] = [70, 45]
    const l = lowerWithJunk(n, 11)
    const b = seededArray(n * c, 12)
    const L = await BigMatrix.fromArray(swarm, l, { shape: [n, n], blockShape: [32, 32] })
    const B = await BigMatrix.fromArray(swarm, b, { shape: [n, c], blockShape: [32, 16] })
    const before = swarm.status().executed
    const { result: X, breakdown } = await timeOnDonors(swarm, () => triangularSolve(L, B))
    // Per block column of B (3 of them): a task per block of X (3), and the one update not fused into one (row 2 by X[0]).
    expect(swarm.status().executed - before).toBe(3 * (3 + 1))
    // The donors' time, from the jobs' reports: every run here, on this peer's one worker.
    expect(breakdown.runs).toBe(12)
    expect(breakdown.runsByPeer).toEqual({ [swarm.peer.id]: 12 })
    expect(breakdown.computeMs).toBeGreaterThan(0)
    expect(breakdown.capacityMs).toBeCloseTo(breakdown.wallMs, 6)
    expect(breakdown.shares.compute + breakdown.shares.moving + breakdown.shares.waiting).toBeGreaterThanOrEqual(0.999)
    expect(X.shape).toEqual([n, c])
    expect(X.blockShape).toEqual([32, 16])
    expect(maxAbsDiff(await X.toArray(), referenceLowerSolve(n, c, l, b))).toBeLessThanOrEqual(F64_TOLERANCE(n))
    const XT = await triangularSolve(L, B, { transpose: true })
    expect(maxAbsDiff(await XT.toArray(), referenceLowerSolve(n, c, l, b, true))).toBeLessThanOrEqual(F64_TOLERANCE(n))

    const executed = swarm.status().executed
    const again = await triangularSolve(L, B)
    expect(swarm.status().executed).toBe(executed)
    expect(again.ref).toBe(X.ref)
  })

  it('reads transposed views of L and B, lazy and float32 operands, and a B blocked otherwise with { reblock: true }', async () => {
    const swarm = await offlineSwarm()
    const [n, c] = [41, 9]
    const l = lowerWithJunk(n, 13)
    const b = seededArray(n * c, 14)
    // U = Lᵀ stored (with junk below its diagonal), so U.T shows L; B stored transposed too.
    const U = await BigMatrix.fromArray(swarm, referenceTranspose(n, n, l), { shape: [n, n], blockShape: [16, 16] })
    const Bt = await BigMatrix.fromArray(swarm, referenceTranspose(n, c, b), { shape: [c, n], blockShape: [9, 16] })
    const X = await triangularSolve(U.T, Bt.T)
    expect(maxAbsDiff(await X.toArray(), referenceLowerSolve(n, c, l, b))).toBeLessThanOrEqual(F64_TOLERANCE(n))
    const XT = await triangularSolve(U.T, Bt.T, { transpose: true })
    expect(maxAbsDiff(await XT.toArray(), referenceLowerSolve(n, c, l, b, true))).toBeLessThanOrEqual(F64_TOLERANCE(n))

    const lazy = await BigMatrix.random(swarm, { shape: [n, c], blockShape: [10, 9], params: { seed: 15 } })
    await expect(triangularSolve(U.T, lazy)).rejects.toMatchObject({ name: 'ShapeMismatchError', message: expect.stringContaining('reblock: true') })
    const Y = await triangularSolve(U.T, lazy, { reblock: true })
    expect(Y.blockShape).toEqual([16, 9])
    expect(maxAbsDiff(await Y.toArray(), referenceLowerSolve(n, c, l, await lazy.toArray()))).toBeLessThanOrEqual(F64_TOLERANCE(n))

    const f = lowerWithJunk(20, 16, 'float32')
    const g = seededArray(20 * 7, 17, 'float32')
    const F = await BigMatrix.fromArray(swarm, f, { shape: [20, 20], blockShape: [8, 8] })
    const G = await BigMatrix.fromArray(swarm, g, { shape: [20, 7], blockShape: [8, 8] })
    const Z = await (await triangularSolve(F, G, { transpose: true })).toArray()
    expect(Z).toBeInstanceOf(Float32Array)
    expect(maxAbsDiff(Z, referenceLowerSolve(20, 7, f, g, true))).toBeLessThanOrEqual(F32_TOLERANCE(20))
  })

  it('refuses what it cannot solve, with named errors', async () => {
    const swarm = await offlineSwarm()
    const L = await BigMatrix.fromArray(swarm, lowerWithJunk(6, 18), { shape: [6, 6], blockShape: [2, 2] })
    const B = await BigMatrix.create(swarm, { shape: [6, 3], blockShape: [2, 2] })
    await expect(triangularSolve(await BigMatrix.create(swarm, { shape: [6, 4], blockShape: [2, 2] }), B)).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(triangularSolve(await BigMatrix.create(swarm, { shape: [6, 6], blockShape: [2, 3] }), B)).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(triangularSolve(L, await BigMatrix.create(swarm, { shape: [5, 3], blockShape: [2, 2] }))).rejects.toMatchObject({ name: 'ShapeMismatchError', message: expect.stringContaining('6 rows') })
    await expect(triangularSolve(L, await BigMatrix.create(swarm, { shape: [6, 3], blockShape: [3, 3] }))).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(triangularSolve(L, await BigMatrix.create(swarm, { shape: [6, 3], blockShape: [2, 2], dtype: 'float32' }))).rejects.toBeInstanceOf(DtypeMismatchError)
    await expect(choleskySolve(L, await BigMatrix.create(swarm, { shape: [4, 3], blockShape: [2, 2] }))).rejects.toBeInstanceOf(ShapeMismatchError)
    // A diagonal block never written is zeros: singular before anything runs; a zero on a stored diagonal, when its task runs.
    await expect(triangularSolve(await BigMatrix.create(swarm, { shape: [6, 6], blockShape: [2, 2] }), B)).rejects.toMatchObject({ name: 'RangeError', message: expect.stringContaining('singular') })
    const zeroPivot = await L.putBlock(new Float64Array([1, 0, 0, 0]), 1, 1)
    await expect(triangularSolve(zeroPivot, B)).rejects.toMatchObject({ message: expect.stringContaining('singular') })
  })
})

describe('choleskySolve: A·X = B for a symmetric positive-definite A', () => {
  it('factors A and runs both solves; A·X matches B on a 70×70 A in 32×32 blocks', async () => {
    const swarm = await offlineSwarm()
    const [n, c] = [70, 45]
    const A = await BigMatrix.random(swarm, { shape: [n, n], blockShape: [32, 32], params: { seed: 19, symmetric: true, diagonal: n } })
    const b = seededArray(n * c, 20)
    const B = await BigMatrix.fromArray(swarm, b, { shape: [n, c], blockShape: [32, 32] })
    const X = await choleskySolve(A, B)
    expect(X.shape).toEqual([n, c])
    expect(maxAbsDiff(referenceMatmul(n, c, n, await A.toArray(), await X.toArray()), b)).toBeLessThanOrEqual(F64_TOLERANCE(n))
  })
})
