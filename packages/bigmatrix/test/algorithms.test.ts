import { describe, expect, it } from 'vitest'
import { BigMatrix, cholesky, DtypeMismatchError, matmul, reblock, ShapeMismatchError } from '../src/index.ts'
import { useOfflineSwarm } from './support/offline-swarm.ts'
import { maxAbsDiff, referenceMatmul, referenceTranspose, seededArray } from './support/reference.ts'

const offlineSwarm = useOfflineSwarm()

// Tolerances: float64 sums of k products of values in [−1, 1) agree with the
// reference to well under 1e-12·k; the bound is stated as 1e-9·n, as promised in the docs.
const F64_TOLERANCE = (n: number): number => 1e-9 * n
const F32_TOLERANCE = (n: number): number => 1e-4 * n

describe('matmul: one block task per output block', () => {
  it.each([
    { m: 100, k: 70, n: 130, block: 32 },
    { m: 64, k: 64, n: 64, block: 32 },
    { m: 33, k: 17, n: 5, block: 16 },
    { m: 1, k: 40, n: 1, block: 8 },
  ])('$m×$k · $k×$n in $block×$block blocks matches the reference, and a rerun executes nothing', async ({ m, k, n, block }) => {
    const swarm = await offlineSwarm()
    const a = seededArray(m * k, 1)
    const b = seededArray(k * n, 2)
    const A = await BigMatrix.fromArray(swarm, a, { shape: [m, k], blockShape: [block, block] })
    const B = await BigMatrix.fromArray(swarm, b, { shape: [k, n], blockShape: [block, block] })
    const C = await matmul(A, B)
    expect(C.shape).toEqual([m, n])
    expect(maxAbsDiff(await C.toArray(), referenceMatmul(m, n, k, a, b))).toBeLessThanOrEqual(F64_TOLERANCE(k))
    const executed = swarm.status().executed
    const cached: number[] = []
    const again = await matmul(A, B, { onProgress: (p) => cached.push(p.cached) })
    expect(swarm.status().executed).toBe(executed)
    expect(cached.at(-1)).toBe(Math.ceil(m / block) * Math.ceil(n / block))
    expect(again.ref).toBe(C.ref)
  })

  it('multiplies transposed views without copying them, and float32 matrices', async () => {
    const swarm = await offlineSwarm()
    const a = seededArray(45 * 30, 3)
    const A = await BigMatrix.fromArray(swarm, a, { shape: [45, 30], blockShape: [16, 16] })
    const AtA = await matmul(A.T, A)
    const at = referenceTranspose(45, 30, a)
    expect(maxAbsDiff(await AtA.toArray(), referenceMatmul(30, 30, 45, at, a))).toBeLessThanOrEqual(F64_TOLERANCE(45))
    const AAt = await matmul(A, A.T)
    expect(maxAbsDiff(await AAt.toArray(), referenceMatmul(45, 45, 30, a, at))).toBeLessThanOrEqual(F64_TOLERANCE(30))

    const f = seededArray(40 * 40, 4, 'float32')
    const F = await BigMatrix.fromArray(swarm, f, { shape: [40, 40], blockShape: [16, 16] })
    const FF = await matmul(F, F.T)
    const product = await FF.toArray()
    expect(product).toBeInstanceOf(Float32Array)
    expect(maxAbsDiff(product, referenceMatmul(40, 40, 40, f, referenceTranspose(40, 40, f)))).toBeLessThanOrEqual(F32_TOLERANCE(40))
  })

  it('multiplies lazily made random matrices, whose blocks never pass through the host', async () => {
    const swarm = await offlineSwarm()
    const A = await BigMatrix.random(swarm, { shape: [50, 40], blockShape: [16, 16], params: { seed: 1 } })
    const B = await BigMatrix.random(swarm, { shape: [40, 20], blockShape: [16, 16], params: { seed: 2 } })
    const C = await matmul(A, B)
    const expected = referenceMatmul(50, 20, 40, await A.toArray(), await B.toArray())
    expect(maxAbsDiff(await C.toArray(), expected)).toBeLessThanOrEqual(F64_TOLERANCE(40))
  })

  it('refuses operands that do not fit, with named errors', async () => {
    const swarm = await offlineSwarm()
    const A = await BigMatrix.create(swarm, { shape: [4, 6], blockShape: [2, 2] })
    const B = await BigMatrix.create(swarm, { shape: [5, 3], blockShape: [2, 2] })
    await expect(matmul(A, B)).rejects.toBeInstanceOf(ShapeMismatchError)
    const C = await BigMatrix.create(swarm, { shape: [6, 3], blockShape: [3, 3] })
    await expect(matmul(A, C)).rejects.toMatchObject({ name: 'ShapeMismatchError', message: expect.stringContaining('blocks') })
    const D = await BigMatrix.create(swarm, { shape: [6, 3], blockShape: [2, 2], dtype: 'float32' })
    await expect(matmul(A, D)).rejects.toBeInstanceOf(DtypeMismatchError)
  })
})

describe('reblock: the same matrix cut on other lines', () => {
  it('cuts a matrix, a transposed view and lazy blocks again without changing an entry', async () => {
    const swarm = await offlineSwarm()
    const a = seededArray(37 * 29, 7)
    const A = await BigMatrix.fromArray(swarm, a, { shape: [37, 29], blockShape: [10, 8] })
    const cut = await reblock(A, [7, 12])
    expect(cut.blockShape).toEqual([7, 12])
    expect(await cut.toArray()).toEqual(await A.toArray())
    const view = await reblock(A.T, [9, 5])
    expect(view.transposed).toBe(true)
    expect(view.blockShape).toEqual([9, 5])
    expect(await view.toArray()).toEqual(referenceTranspose(37, 29, a))
    const R = await BigMatrix.random(swarm, { shape: [20, 13], blockShape: [6, 6], params: { seed: 3 } })
    expect(await (await reblock(R, [4, 13])).toArray()).toEqual(await R.toArray())
    await expect(reblock(A, [0, 3])).rejects.toBeInstanceOf(ShapeMismatchError)
  })

  it('lets matmul multiply operands blocked differently, cutting the smaller one, and matches the reference', async () => {
    const swarm = await offlineSwarm()
    const a = seededArray(41 * 23, 8)
    const b = seededArray(23 * 50, 9)
    const A = await BigMatrix.fromArray(swarm, a, { shape: [41, 23], blockShape: [16, 10] })
    const B = await BigMatrix.fromArray(swarm, b, { shape: [23, 50], blockShape: [7, 16] })
    await expect(matmul(A, B)).rejects.toMatchObject({ name: 'ShapeMismatchError', message: expect.stringContaining('reblock: true') })
    const C = await matmul(A, B, { reblock: true })
    expect(C.blockShape).toEqual([16, 16])
    expect(maxAbsDiff(await C.toArray(), referenceMatmul(41, 50, 23, a, b))).toBeLessThanOrEqual(F64_TOLERANCE(23))
    const BtAt = await matmul(B.T, A.T, { reblock: true })
    expect(maxAbsDiff(await BtAt.toArray(), referenceTranspose(41, 50, referenceMatmul(41, 50, 23, a, b)))).toBeLessThanOrEqual(F64_TOLERANCE(23))
  })
})

describe('cholesky: one graph of block tasks', () => {
  it.each([
    { n: 100, block: 32 },
    { n: 64, block: 16 },
    { n: 31, block: 8 },
    { n: 12, block: 12 },
  ])('$n×$n in $block×$block blocks: L is lower triangular and L·Lᵀ = A; a rerun executes nothing', async ({ n, block }) => {
    const swarm = await offlineSwarm()
    const A = await BigMatrix.random(swarm, { shape: [n, n], blockShape: [block, block], params: { seed: n, symmetric: true, diagonal: n } })
    await A.storedRefs() // A's lazy blocks first, so that only the factorization's tasks are counted
    const before = swarm.status().executed
    const L = await cholesky(A)
    // One graph: a panel task per block of L, and step k−1's update per trailing block below column k.
    const g = Math.ceil(n / block)
    let updates = 0
    for (let k = 1; k < g; k++) updates += ((g - k - 1) * (g - k)) / 2
    expect(swarm.status().executed - before).toBe((g * (g + 1)) / 2 + updates)
    const l = await L.toArray()
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0)
    const a = await A.toArray()
    expect(maxAbsDiff(referenceMatmul(n, n, n, l, referenceTranspose(n, n, l)), a)).toBeLessThanOrEqual(F64_TOLERANCE(n))
    const executed = swarm.status().executed
    const again = await cholesky(A)
    expect(swarm.status().executed).toBe(executed)
    expect(again.ref).toBe(L.ref)
  })

  it('factors a float32 matrix, a transposed view, and refuses what it cannot factor', async () => {
    const swarm = await offlineSwarm()
    const A = await BigMatrix.random(swarm, { shape: [40, 40], blockShape: [16, 16], dtype: 'float32', params: { seed: 3, symmetric: true, diagonal: 40 } })
    const L = await cholesky(A.T)
    const l = await L.toArray()
    expect(l).toBeInstanceOf(Float32Array)
    expect(maxAbsDiff(referenceMatmul(40, 40, 40, l, referenceTranspose(40, 40, l)), await A.toArray())).toBeLessThanOrEqual(F32_TOLERANCE(40))
    await expect(cholesky(await BigMatrix.create(swarm, { shape: [4, 6], blockShape: [2, 2] }))).rejects.toBeInstanceOf(ShapeMismatchError)
    await expect(cholesky(await BigMatrix.create(swarm, { shape: [6, 6], blockShape: [2, 3] }))).rejects.toBeInstanceOf(ShapeMismatchError)
    const indefinite = await BigMatrix.random(swarm, { shape: [20, 20], blockShape: [8, 8], params: { seed: 4, symmetric: true } })
    await expect(cholesky(indefinite)).rejects.toMatchObject({ name: 'ParallelError', message: expect.stringContaining('not positive definite') })
  })
})
