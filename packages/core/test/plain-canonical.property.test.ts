import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodeCanonicalTrusted } from '../src/encoding/canonical.ts'
import { encodePlainCanonical } from '../src/encoding/plain-canonical.ts'
import { arbitraryValue } from '../../../tests/support/random-values.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** Call arguments of the plain shape, with edge cases: long strings, large and negative integers, odd keys. */
const plainValue = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.maxSafeInteger(),
    fc.integer({ min: -70_000, max: 70_000 }),
    fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, 2 ** 32, -24, -25, -257, true, false, null, undefined),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 6 }), fc.dictionary(fc.string({ maxLength: 12 }), tie('node'), { maxKeys: 8 })),
})).node

describe('encodePlainCanonical', () => {
  it('writes the bytes cborg writes for every plain value', () => {
    fc.assert(
      fc.property(plainValue, (value) => {
        const plain = encodePlainCanonical(value)
        expect(plain).toBeDefined()
        expect(hex(plain as Uint8Array)).toBe(hex(encodeCanonicalTrusted(value)))
      }),
      { numRuns: 2_000 },
    )
  })

  it('either writes cborg bytes or leaves the value to the general path, for any value', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        const plain = encodePlainCanonical(value)
        if (plain !== undefined) expect(hex(plain)).toBe(hex(encodeCanonicalTrusted(value)))
      }),
      { numRuns: 2_000 },
    )
  })

  it('leaves what the general path rejects or encodes otherwise to it', () => {
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    for (const value of [1.5, -0, NaN, 2 ** 53, 1n, new Date(0), new Map(), new Uint8Array(1), { é: 1 }, ['\uD800'], { f: () => 1 }, cycle, new (class A {})()]) {
      expect(encodePlainCanonical(value)).toBeUndefined()
    }
    const protoKey: unknown = JSON.parse('{"__proto__":1,"a":[2]}')
    expect(hex(encodePlainCanonical(protoKey) as Uint8Array)).toBe(hex(encodeCanonicalTrusted(protoKey)))
  })
})
