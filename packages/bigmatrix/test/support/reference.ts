import type { Block } from '../../src/index.ts'

/** Plain dense reference algorithms, in float64, to check the distributed ones against. */
export function referenceMatmul(m: number, n: number, k: number, a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const c = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) {
    const x = a[i * k + p] as number
    for (let j = 0; j < n; j++) c[i * n + j] = (c[i * n + j] as number) + x * (b[p * n + j] as number)
  }
  return c
}

export function referenceTranspose(rows: number, cols: number, a: ArrayLike<number>): Float64Array {
  const t = new Float64Array(rows * cols)
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j] as number
  return t
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} and ${b.length}`)
  let worst = 0
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)))
  return worst
}

/** Seeded uniform values in [−1, 1) (xorshift), so every run checks the same matrices. */
export function seededArray(length: number, seed: number, type: 'float64' | 'float32' = 'float64'): Block {
  const out = type === 'float32' ? new Float32Array(length) : new Float64Array(length)
  let x = (seed * 2654435761) >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = ((x >>> 0) / 4294967296) * 2 - 1
  }
  return out
}

/**
 * X with L·X = B (or Lᵀ·X = B with `transpose`) for the lower triangle of an
 * n×n L and an n×c B, by plain substitution: forward for L, backward for Lᵀ.
 */
export function referenceLowerSolve(n: number, c: number, l: ArrayLike<number>, b: ArrayLike<number>, transpose = false): Float64Array {
  const x = Float64Array.from(b)
  for (let t = 0; t < n; t++) {
    const i = transpose ? n - 1 - t : t
    for (let s = 0; s < t; s++) {
      const k = transpose ? n - 1 - s : s
      const coef = (transpose ? l[k * n + i] : l[i * n + k]) as number
      for (let j = 0; j < c; j++) x[i * c + j] = (x[i * c + j] as number) - coef * (x[k * c + j] as number)
    }
    const pivot = l[i * n + i] as number
    for (let j = 0; j < c; j++) x[i * c + j] = (x[i * c + j] as number) / pivot
  }
  return x
}
