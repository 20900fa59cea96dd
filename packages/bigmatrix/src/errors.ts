import { registerErrors, TesseraError } from '@tessera/core'

/** A block index outside a blocked matrix's grid. */
export class BlockIndexError extends TesseraError {
  override name = 'BlockIndexError'
}

/** Matrices or blocks whose shapes do not fit the operation. */
export class ShapeMismatchError extends TesseraError {
  override name = 'ShapeMismatchError'
}

/** A block or matrix of another element type than the operation expects. */
export class DtypeMismatchError extends TesseraError {
  override name = 'DtypeMismatchError'
}

// Block tasks throw these by name on donors (task code travels as source and
// cannot import them); registered, they come back to the caller as themselves.
registerErrors(BlockIndexError, ShapeMismatchError, DtypeMismatchError)
