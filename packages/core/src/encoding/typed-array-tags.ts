import type { TagDecoder } from 'cborg'
import * as taglib from 'cborg/taglib'
import { copyBytes } from '../bytes.ts'
import { DecodingError } from '../errors.ts'

type TypedArrayClass = { readonly BYTES_PER_ELEMENT: number; new (buffer: ArrayBuffer, byteOffset: number, length: number): ArrayBufferView }

/**
 * A typed array over the byte string cborg has just copied out for it, when that
 * copy is an array buffer of its own, instead of over a second copy as cborg's
 * taglib makes. A BigMatrix block is a 2 MiB Float64Array, and each copy into
 * fresh memory costs 7–10 ms on this machine, mostly page faults
 * (docs/blob-copies.md). A byte string that is a view into the encoded bytes
 * (the decoder was given a Node Buffer) is copied once, as before: the typed
 * array must never share memory with the bytes it came from.
 */
function typedArrayDecoder(Class: TypedArrayClass): TagDecoder {
  return (decode) => {
    const bytes = decode()
    if (!(bytes instanceof Uint8Array)) throw new DecodingError('a typed array tag must hold a byte string')
    if (bytes.byteLength % Class.BYTES_PER_ELEMENT !== 0) {
      throw new DecodingError(`a ${Class.name} of ${bytes.byteLength} bytes is not a whole number of ${Class.BYTES_PER_ELEMENT}-byte elements`)
    }
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : copyBytes(bytes)
    return new Class(own.buffer as ArrayBuffer, own.byteOffset, own.byteLength / Class.BYTES_PER_ELEMENT)
  }
}

/** Decoders for the typed array tags of RFC 8746 that canonical encoding writes (little-endian), by tag. */
export const TYPED_ARRAY_TAG_DECODERS: ReadonlyArray<readonly [number, TagDecoder]> = [
  [taglib.TAG_UINT8_ARRAY, typedArrayDecoder(Uint8Array)],
  [taglib.TAG_UINT8_CLAMPED_ARRAY, typedArrayDecoder(Uint8ClampedArray)],
  [taglib.TAG_INT8_ARRAY, typedArrayDecoder(Int8Array)],
  [taglib.TAG_UINT16_ARRAY_LE, typedArrayDecoder(Uint16Array)],
  [taglib.TAG_INT16_ARRAY_LE, typedArrayDecoder(Int16Array)],
  [taglib.TAG_UINT32_ARRAY_LE, typedArrayDecoder(Uint32Array)],
  [taglib.TAG_INT32_ARRAY_LE, typedArrayDecoder(Int32Array)],
  [taglib.TAG_FLOAT32_ARRAY_LE, typedArrayDecoder(Float32Array)],
  [taglib.TAG_FLOAT64_ARRAY_LE, typedArrayDecoder(Float64Array)],
  [taglib.TAG_BIGINT64_ARRAY_LE, typedArrayDecoder(BigInt64Array)],
  [taglib.TAG_BIGUINT64_ARRAY_LE, typedArrayDecoder(BigUint64Array)],
]
