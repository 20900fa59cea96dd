import { sha256 } from '@noble/hashes/sha2.js'
import { describe, expect, it } from 'vitest'
import { leafHash, nodeHash, textLeafHash } from '../src/identity/merkle.ts'
import { portableSha256TaggedText, sha256Small, sha256Tagged, sha256TaggedText } from '../src/identity/sha256-small.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
/** Seeded bytes, so a failure names its input. */
const bytesOf = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (seed * 131 + i * 197 + ((i * i) >> 3)) & 0xff)

describe('sha256Tagged', () => {
  it('gives the FIPS 180-4 digest of "abc" and of the empty-tail cases', () => {
    expect(hex(sha256Tagged(0x61, new TextEncoder().encode('bc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(hex(sha256Tagged(0x61, new Uint8Array(0), new TextEncoder().encode('bc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
  })

  it('agrees with @noble/hashes on every length up to four blocks, split every few bytes', () => {
    for (let length = 0; length <= 260; length++) {
      const data = bytesOf(length, length)
      const tag = (length * 7) & 0xff
      const expected = hex(sha256(Uint8Array.from([tag, ...data])))
      for (let cut = 0; cut <= length; cut += length < 70 ? 1 : 17) {
        expect(hex(sha256Tagged(tag, data.subarray(0, cut), data.subarray(cut))), `length ${length} cut ${cut}`).toBe(expected)
      }
      expect(hex(sha256Tagged(tag, data))).toBe(expected)
    }
  })

  it('sha256Small agrees with @noble/hashes on every length up to nine blocks and beyond, the scratch space reused', () => {
    expect(hex(sha256Small(new TextEncoder().encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    for (const length of [...Array.from({ length: 600 }, (_, i) => i), 1_000, 4_096]) {
      const data = bytesOf(length, length + 1)
      expect(hex(sha256Small(data)), `length ${length}`).toBe(hex(sha256(data)))
    }
  })

  it('keeps the Merkle hashes RFC 9162 defines (0x00 ‖ leaf, 0x01 ‖ left ‖ right)', () => {
    const leaf = bytesOf(120, 3)
    expect(hex(leafHash(leaf))).toBe(hex(sha256(Uint8Array.from([0, ...leaf]))))
    const left = bytesOf(32, 4)
    const right = bytesOf(32, 5)
    expect(hex(nodeHash(left, right))).toBe(hex(sha256(Uint8Array.from([1, ...left, ...right]))))
  })
})

describe('sha256TaggedText', () => {
  const encoded = (text: string): Uint8Array => new TextEncoder().encode(text)

  it('hashes TextEncoder\'s bytes for ASCII, non-ASCII, astral and lone-surrogate text', () => {
    const texts = ['', '["tessera/outcome@1","kA_-","value","b123"]', 'ascii then é', '日本語', '\u{1F600} emoji', 'lone \uD800 high', 'lone \uDC00 low', '\u007f\u0080']
    for (const text of texts) {
      const expected = hex(sha256(Uint8Array.from([5, ...encoded(text)])))
      expect(hex(sha256TaggedText(5, text)), text).toBe(expected)
      expect(hex(portableSha256TaggedText(5, text)), text).toBe(expected)
    }
  })

  it('agrees with @noble/hashes on ASCII text of every length up to four blocks', () => {
    for (let length = 0; length <= 260; length++) {
      const text = Array.from({ length }, (_, i) => String.fromCharCode(32 + ((length * 7 + i * 13) % 95))).join('')
      expect(hex(textLeafHash(text)), `length ${length}`).toBe(hex(leafHash(encoded(text))))
      expect(hex(portableSha256TaggedText(0, text)), `length ${length}`).toBe(hex(leafHash(encoded(text))))
    }
  })
})
