/** A block's elements, row-major: the two element types a BigMatrix can hold. */
export type Block = Float64Array | Float32Array
