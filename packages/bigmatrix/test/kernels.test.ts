import { describe, expect, it } from 'vitest'
import { gemmInto, gemmNaive, gemmStrided, potrf, transposeBlock, trsmLowerTranspose } from '../src/kernels/index.ts'
import { maxAbsDiff, referenceMatmul, referenceTranspose, seededArray } from './support/reference.ts'

describe('block kernels', () => {
  it.each([
    [1, 1, 1],
    [4, 4, 4],
    [7, 5, 3],
    [32, 32, 32],
    [33, 30, 17],
    [64, 13, 70],
  ])('gemmInto and gemmNaive compute C += A·B for %i×%i by inner %i', (m, n, k) => {
    const a = seededArray(m * k, 1)
    const b = seededArray(k * n, 2)
    const start = seededArray(m * n, 3)
    const expected = referenceMatmul(m, n, k, a, b).map((x, i) => x + (start[i] as number))
    const blocked = Float64Array.from(start)
    gemmInto(m, n, k, a, b, blocked, 1)
    const naive = Float64Array.from(start)
    gemmNaive(m, n, k, a, b, naive)
    expect(maxAbsDiff(blocked, expected)).toBeLessThanOrEqual(1e-12 * k)
    expect(maxAbsDiff(naive, expected)).toBeLessThanOrEqual(1e-12 * k)
    const minus = Float64Array.from(start)
    gemmInto(m, n, k, a, b, minus, -1)
    expect(maxAbsDiff(minus, referenceMatmul(m, n, k, a, b).map((x, i) => (start[i] as number) - x))).toBeLessThanOrEqual(1e-12 * k)
  })

  it('transposes a block and keeps its element type', () => {
    const a = seededArray(6 * 4, 4, 'float32')
    const t = transposeBlock(6, 4, a)
    expect(t).toBeInstanceOf(Float32Array)
    expect(maxAbsDiff(t, referenceTranspose(6, 4, a))).toBe(0)
  })

  it('potrf factors a positive-definite block and trsm solves X·Lᵀ = B', () => {
    const n = 37
    const g = seededArray(n * n, 5)
    // A = G·Gᵀ + n·I is symmetric positive definite.
    const a = referenceMatmul(n, n, n, g, referenceTranspose(n, n, g)).map((x, i) => x + (i % (n + 1) === 0 ? n : 0))
    const l = potrf(n, a, gemmStrided)
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0)
    expect(maxAbsDiff(referenceMatmul(n, n, n, l, referenceTranspose(n, n, l)), a)).toBeLessThanOrEqual(1e-12 * n * n)
    const m = 11
    const b = seededArray(m * n, 6)
    const x = trsmLowerTranspose(m, n, l, b, gemmStrided)
    expect(maxAbsDiff(referenceMatmul(m, n, n, x, referenceTranspose(n, n, l)), b)).toBeLessThanOrEqual(1e-12 * n)
  })

  it('potrf refuses a block that is not positive definite', () => {
    expect(() => potrf(2, new Float64Array([1, 2, 2, 1]), gemmStrided)).toThrow(RangeError)
  })
})

describe('blocked Cholesky kernels past one 64-column chunk', () => {
  it.each([
    [65, 3],
    [150, 70],
    [200, 1],
  ])('potrf and trsm for n = %i (m = %i) agree with the definition', (n, m) => {
    const g = seededArray(n * n, n)
    const a = referenceMatmul(n, n, n, g, referenceTranspose(n, n, g)).map((x, i) => x + (i % (n + 1) === 0 ? n : 0))
    const l = potrf(n, a, gemmStrided)
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0)
    expect(maxAbsDiff(referenceMatmul(n, n, n, l, referenceTranspose(n, n, l)), a)).toBeLessThanOrEqual(1e-12 * n * n)
    const b = seededArray(m * n, m)
    const x = trsmLowerTranspose(m, n, l, b, gemmStrided)
    expect(maxAbsDiff(referenceMatmul(m, n, n, x, referenceTranspose(n, n, l)), b)).toBeLessThanOrEqual(1e-12 * n)
  })

  it('names the failing pivot of a matrix that is not positive definite, in any chunk', () => {
    const n = 100
    const a = new Float64Array(n * n)
    for (let i = 0; i < n; i++) a[i * n + i] = i === 80 ? -1 : 1
    expect(() => potrf(n, a, gemmStrided)).toThrow(/pivot 80/)
  })

  it('gemmStrided multiplies sub-blocks in place', () => {
    // C[1:3, 2:5] += A[0:2, 1:4] · B[2:5, 0:3] inside larger arrays.
    const a = seededArray(5 * 6, 7)
    const b = seededArray(6 * 4, 8)
    const c = seededArray(4 * 7, 9)
    const before = Float64Array.from(c)
    gemmStrided(2, 3, 3, a, 1, 6, b, 2 * 4, 4, c, 1 * 7 + 2, 7, 1)
    for (let i = 0; i < 4; i++) for (let j = 0; j < 7; j++) {
      const inside = i >= 1 && i < 3 && j >= 2 && j < 5
      let expected = before[i * 7 + j] as number
      if (inside) for (let p = 0; p < 3; p++) expected += (a[(i - 1) * 6 + 1 + p] as number) * (b[(2 + p) * 4 + (j - 2)] as number)
      expect(c[i * 7 + j]).toBeCloseTo(expected, 12)
    }
  })
})
