import { sha256 as portableSha256 } from '@noble/hashes/sha2.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sha256 } from '../src/sha256.ts'

describe('sha256', () => {
  it('is the native hash in Node', () => {
    expect(sha256).not.toBe(portableSha256)
  })

  it('gives the portable digest for any bytes, views into larger buffers included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2_000 }), fc.nat(16), (bytes, skip) => {
        const view = new Uint8Array(skip + bytes.length + 3).subarray(skip, skip + bytes.length)
        view.set(bytes)
        expect(Buffer.from(sha256(view)).equals(Buffer.from(portableSha256(bytes)))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})
