import type { Dataset } from './dataset.ts'

/** exp(−γ‖a − b‖²) between rows `i` and `j` of `x`. */
export function rbf(x: Float64Array, d: number, i: number, j: number, gamma: number): number {
  let squared = 0
  for (let k = 0; k < d; k++) {
    const diff = (x[i * d + k] ?? 0) - (x[j * d + k] ?? 0)
    squared += diff * diff
  }
  return Math.exp(-gamma * squared)
}

/**
 * Solves A·z = b for a symmetric positive-definite `m`×`m` matrix by Cholesky
 * factorisation, in place: `a` is overwritten by its factor.
 */
export function choleskySolve(a: Float64Array, m: number, b: Float64Array): Float64Array {
  for (let j = 0; j < m; j++) {
    let diagonal = a[j * m + j] ?? 0
    for (let k = 0; k < j; k++) diagonal -= (a[j * m + k] ?? 0) ** 2
    if (diagonal <= 0) throw new RangeError('matrix is not positive definite')
    const root = Math.sqrt(diagonal)
    a[j * m + j] = root
    for (let i = j + 1; i < m; i++) {
      let sum = a[i * m + j] ?? 0
      for (let k = 0; k < j; k++) sum -= (a[i * m + k] ?? 0) * (a[j * m + k] ?? 0)
      a[i * m + j] = sum / root
    }
  }
  const z = Float64Array.from(b)
  for (let i = 0; i < m; i++) {
    let sum = z[i] ?? 0
    for (let k = 0; k < i; k++) sum -= (a[i * m + k] ?? 0) * (z[k] ?? 0)
    z[i] = sum / (a[i * m + i] ?? 1)
  }
  for (let i = m - 1; i >= 0; i--) {
    let sum = z[i] ?? 0
    for (let k = i + 1; k < m; k++) sum -= (a[k * m + i] ?? 0) * (z[k] ?? 0)
    z[i] = sum / (a[i * m + i] ?? 1)
  }
  return z
}

/**
 * Kernel ridge regression with an RBF kernel: fits on the `train` rows with
 * regularisation `lambda` and kernel width `gamma`, and returns the mean
 * squared error on the `test` rows.
 */
export function kernelRidgeValidationError(data: Dataset, train: Int32Array, test: Int32Array, lambda: number, gamma: number): number {
  const { x, y, d } = data
  const m = train.length
  const gram = new Float64Array(m * m)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) {
      const value = rbf(x, d, train[i] ?? 0, train[j] ?? 0, gamma)
      gram[i * m + j] = value
      gram[j * m + i] = value
    }
    gram[i * m + i] = (gram[i * m + i] ?? 0) + lambda
  }
  const targets = Float64Array.from(train, (row) => y[row] ?? 0)
  const alpha = choleskySolve(gram, m, targets)
  let squaredError = 0
  for (const row of test) {
    let prediction = 0
    for (let j = 0; j < m; j++) prediction += (alpha[j] ?? 0) * rbf(x, d, row, train[j] ?? 0, gamma)
    squaredError += (prediction - (y[row] ?? 0)) ** 2
  }
  return squaredError / test.length
}
