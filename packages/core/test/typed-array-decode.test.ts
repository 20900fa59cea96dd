import { describe, expect, it } from 'vitest'
import { DecodingError, decodeCanonical, encodeCanonical } from '@tessera/core'

// Decoding gives each typed array the byte string cborg copied out for it, when
// that copy is a buffer of its own, rather than a second copy
// (encoding/typed-array-tags.ts). What must hold whatever the path: a decoded
// array never shares memory with the bytes it came from, nor with another array.

const samples = (): ArrayBufferView[] => [
  new Uint8Array([1, 2, 250]),
  new Uint8ClampedArray([0, 128, 255]),
  new Int8Array([-128, 0, 127]),
  new Uint16Array([1, 65535]),
  new Int16Array([-32768, 32767]),
  new Uint32Array([1, 2 ** 32 - 1]),
  new Int32Array([-(2 ** 31), 2 ** 31 - 1]),
  new Float32Array([1.5, -0, Number.POSITIVE_INFINITY]),
  new Float64Array([Math.PI, -0, Number.NaN, 1e308]),
  new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]),
  new BigUint64Array([0n, 2n ** 64n - 1n]),
]

const bytesOf = (view: ArrayBufferView): number[] => [...new Uint8Array(view.buffer, view.byteOffset, view.byteLength)]

describe('decoding typed arrays', () => {
  it('gives back every typed array type as it was, each over a buffer of exactly its own bytes', () => {
    for (const sample of samples()) {
      const decoded = decodeCanonical(encodeCanonical(sample)) as unknown as ArrayBufferView
      expect(decoded.constructor, sample.constructor.name).toBe(sample.constructor)
      expect(bytesOf(decoded), sample.constructor.name).toEqual(bytesOf(sample))
      // What a worker is handed (transferred) is the block alone, not a larger buffer around it.
      expect(decoded.buffer.byteLength, sample.constructor.name).toBe(sample.byteLength)
    }
  })

  it('never shares memory with the encoded bytes, given as a Uint8Array or as a Node Buffer', () => {
    for (const wrap of [(b: Uint8Array) => b, (b: Uint8Array) => Buffer.from(b)]) {
      const block = Float64Array.from({ length: 4096 }, (_, i) => i / 7)
      const encoded = wrap(encodeCanonical({ block, tail: new Int16Array([3, 4]) }))
      const decoded = decodeCanonical(encoded) as unknown as { block: Float64Array; tail: Int16Array }
      encoded.fill(0)
      expect(decoded.block[4095]).toBe(4095 / 7)
      expect([...decoded.tail]).toEqual([3, 4])
    }
  })

  it('gives two arrays of one value two buffers', () => {
    const decoded = decodeCanonical(encodeCanonical([new Float64Array([1, 2]), new Float64Array([3, 4])])) as unknown as Float64Array[]
    const [a, b] = decoded as [Float64Array, Float64Array]
    expect(a.buffer).not.toBe(b.buffer)
    a.fill(9)
    expect([...b]).toEqual([3, 4])
  })

  it('refuses a typed array tag whose bytes are not whole elements, or that holds no byte string', () => {
    // Tag 86 (float64, little-endian) over 7 bytes; then over the text "abc".
    const sevenBytes = new Uint8Array([0xd8, 0x56, 0x47, 1, 2, 3, 4, 5, 6, 7])
    const text = new Uint8Array([0xd8, 0x56, 0x63, 0x61, 0x62, 0x63])
    expect(() => decodeCanonical(sevenBytes)).toThrow(DecodingError)
    expect(() => decodeCanonical(text)).toThrow(DecodingError)
  })
})
