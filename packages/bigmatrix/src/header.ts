import type { Address } from '@tessera/core'

export type Dtype = 'float64' | 'float32'

export const HEADER_KIND = 'tessera/bigmatrix@1'

/** How a lazy block is made: a stored pure function, and the data every call of it gets. */
export interface InitSpec {
  readonly fn: Address
  readonly name: string
  readonly params: unknown
}

/**
 * What a matrix is, as a stored value: its address is the matrix's reference.
 * `shape`, `blockShape` and `blocks` describe the stored matrix; a transposed
 * view shares them and flips `transposed`, so `.T` copies nothing.
 */
export interface MatrixHeader {
  readonly kind: typeof HEADER_KIND
  readonly shape: readonly [number, number]
  readonly blockShape: readonly [number, number]
  readonly dtype: Dtype
  /** Stored blocks by "i,j" (storage coordinates). A block not listed is lazy (with `init`) or zeros. */
  readonly blocks: { readonly [key: string]: Address }
  readonly init: InitSpec | null
  readonly transposed: boolean
}

export function blockKey(i: number, j: number): string {
  return `${i},${j}`
}

/** Blocks along each dimension. */
export function gridOf(shape: readonly [number, number], blockShape: readonly [number, number]): [number, number] {
  return [Math.ceil(shape[0] / blockShape[0]), Math.ceil(shape[1] / blockShape[1])]
}

/** Rows or columns of block `index` along a dimension of `size` cut every `step` (the last block may be short). */
export function extentOf(size: number, step: number, index: number): number {
  return Math.min(step, size - index * step)
}

export function isMatrixHeader(value: unknown): value is MatrixHeader {
  const h = value as Partial<MatrixHeader> | null
  return typeof h === 'object' && h !== null && h.kind === HEADER_KIND && Array.isArray(h.shape) && Array.isArray(h.blockShape)
}
