import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeWithCborg, encodeCanonical } from '../src/encoding/canonical.ts'
import { decodePlainCanonical } from '../src/encoding/plain-decode.ts'
import { arbitraryValue } from '../../../tests/support/random-values.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')
const fromHex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'hex'))

/** cborg's outcome for `bytes`: its value, or that it threw. */
function general(bytes: Uint8Array): { value: unknown } | 'throws' {
  try {
    return { value: decodeWithCborg(bytes) }
  } catch {
    return 'throws'
  }
}

/** The fast path may leave any bytes to cborg, but what it decodes must be what cborg decodes, to the bit. */
function expectAgrees(bytes: Uint8Array): boolean {
  const plain = decodePlainCanonical(bytes)
  if (plain === undefined) return false
  const reference = general(bytes)
  expect(reference).not.toBe('throws')
  const value = (reference as { value: unknown }).value
  // Re-encoding compares every value, tells -0 from 0 and a missing key from an undefined one;
  // the walk compares what bytes cannot show: each object's prototype and own keys.
  expect(hex(encodeCanonical(plain.value))).toBe(hex(encodeCanonical(value)))
  expectSameShape(plain.value, value, 'value')
  return true
}

/** Same prototypes and own keys all the way down (not `toStrictEqual`, which reads a `constructor` key as the type). */
function expectSameShape(a: unknown, b: unknown, path: string): void {
  if (typeof a !== 'object' || a === null) return void expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)), path).toBe(true)
  expect(typeof b === 'object' && b !== null && Object.getPrototypeOf(a) === Object.getPrototypeOf(b), `${path}: prototype`).toBe(true)
  if (ArrayBuffer.isView(a)) return
  const keys = Reflect.ownKeys(a)
  expect(keys, `${path}: keys`).toEqual(Reflect.ownKeys(b as object))
  for (const key of keys) expectSameShape((a as Record<PropertyKey, unknown>)[key], (b as Record<PropertyKey, unknown>)[key], `${path}.${String(key)}`)
}

/** Results of the shapes memoized calls return: numbers of every width, ASCII text, small records and lists. */
const plainResult = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.double(),
    fc.float(),
    fc.integer({ min: -(2 ** 32), max: 2 ** 32 }),
    fc.constantFrom(0, 23, 24, 255, 256, 65_535, 65_536, 2 ** 32 - 1, -24, -25, -257, 0.5, 1e300, -0, NaN, Infinity, true, false, null, undefined),
  ),
  node: fc.oneof({ depthSize: 'small' }, tie('leaf'), fc.array(tie('node'), { maxLength: 6 }), fc.dictionary(fc.string({ maxLength: 12 }), tie('node'), { maxKeys: 8 })),
})).node

describe('decodePlainCanonical', () => {
  it('decodes what cborg decodes for results of the plain shape, and takes most of them', () => {
    // Keys that name Object.prototype's members are plain keys too.
    for (const value of [{ constructor: [] }, { toString: 1, hasOwnProperty: 'x', valueOf: null }]) expect(expectAgrees(encodeCanonical(value))).toBe(true)
    let taken = 0
    fc.assert(
      fc.property(plainResult, (value) => {
        if (expectAgrees(encodeCanonical(value))) taken++
      }),
      { numRuns: 2_000 },
    )
    // Non-ASCII text goes to cborg; the rest is the fast path's to take.
    expect(taken).toBeGreaterThan(1_000)
  })

  it('agrees with cborg or leaves the bytes to it, for any supported value', () => {
    fc.assert(fc.property(arbitraryValue, (value) => void expectAgrees(encodeCanonical(value))), { numRuns: 2_000 })
  })

  it('never decodes bytes cborg rejects, nor decodes them otherwise: truncated, spliced and random bytes', () => {
    const mutated = fc
      .tuple(plainResult, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'append'))
      .map(([value, at, byte, how]) => {
        const bytes = encodeCanonical(value)
        const i = at % bytes.length
        if (how === 'cut') return bytes.subarray(0, i)
        if (how === 'append') return Uint8Array.of(...bytes, byte)
        const flipped = Uint8Array.from(bytes)
        flipped[i] = byte
        return flipped
      })
    fc.assert(fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 24 })), (bytes) => void expectAgrees(bytes)), { numRuns: 5_000 })
  })

  it('reads every half-precision float as cborg does', () => {
    for (let bits = 0; bits < 0x10000; bits++) {
      const bytes = Uint8Array.of(0xf9, bits >> 8, bits & 0xff)
      const reference = general(bytes) as { value: number }
      expect(Object.is(decodePlainCanonical(bytes)?.value, reference.value), `half 0x${bits.toString(16)}`).toBe(true)
    }
  })

  it('leaves to cborg what it must judge: long heads, big integers, indefinite lengths, tags, bytes, non-ASCII, __proto__, repeated keys, deep nesting, trailing bytes', () => {
    const cases = [
      '1805', // 5 in two bytes: strict cborg rejects it
      '190005',
      '1b0000000000000005',
      '1b0020000000000000', // past 2^53: cborg's call (bigint)
      '9f01ff', // indefinite array
      'c11a00000000', // tag 1
      '4101', // byte string
      '62c3a9', // "é"
      'a1695f5f70726f746f5f5f01', // {"__proto__": 1}
      'a2616101616102', // {"a": 1, "a": 2}
      'a1016161', // a non-text key
      '0101', // trailing byte
      '',
      '81'.repeat(65) + '01', // 65 levels of arrays
      '9a00010000', // an array claiming 65,536 elements in 5 bytes
    ]
    for (const text of cases) expect(decodePlainCanonical(fromHex(text)), text).toBeUndefined()
    expect(decodePlainCanonical(fromHex('81'.repeat(64) + '01'))).toBeDefined()
  })
})
