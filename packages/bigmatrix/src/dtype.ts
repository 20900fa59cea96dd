import { DtypeMismatchError } from './errors.ts'
import type { Dtype } from './header.ts'
import type { Block } from './kernels/block.ts'

export function dtypeOf(block: unknown): Dtype {
  if (block instanceof Float64Array) return 'float64'
  if (block instanceof Float32Array) return 'float32'
  const name = (block as { constructor?: { name?: string } } | null)?.constructor?.name ?? typeof block
  throw new DtypeMismatchError(`a block must be a Float64Array or a Float32Array, not ${name}`)
}

export function zeros(dtype: Dtype, length: number): Block {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length)
}
