import fc from 'fast-check'
import { encodeCanonical, type TypedArray } from '@tessera/core'

/**
 * Two Map keys that are different objects with the same contents would encode
 * as a duplicate key, which encoding refuses: generated Maps have distinct keys.
 */
function keyIdentity([key]: readonly [unknown, unknown]): string {
  let hex = ''
  for (const byte of encodeCanonical(key)) hex += byte.toString(16).padStart(2, '0')
  return hex
}

/**
 * Seeded random values covering everything `encodeCanonical` supports, for tests
 * that compare addresses across environments (Node and Chromium). No Node or DOM
 * imports: the same module runs in both, and `sampleValues(seed, n)` yields the
 * same values in each.
 */

const MAX_DEPTH = 3
const MAX_ITEMS = 4

/** A fresh object per sample (constantFrom would share one instance across samples). */
function fresh<T>(...makers: Array<() => T>): fc.Arbitrary<T> {
  return fc.constantFrom(...makers).map((make) => make())
}

// ---------------------------------------------------------------- numbers

const trickyNumbers = [
  0, -0, NaN, Infinity, -Infinity,
  1, -1, 23, 24, -24, -25, 255, 256, 65535, 65536, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32,
  Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 2 ** 60, -(2 ** 60),
  2 ** 63, 2 ** 64, -(2 ** 64), 2 ** 64 + 4096, 1e21, 1e300, -1e300,
  Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, Number.EPSILON,
  0.1, 0.5, -0.5, 1.5, 65504, 65505, 65520, 2 ** -14, 2 ** -24, 2 ** -25, 5.960464477539063e-8, 1e-7,
  3.4028234663852886e38, 3.4028235677973366e38, 1.401298464324817e-45, 1.1754943508222875e-38,
]

const numberValue: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double(), // includes -0, NaN and ±Infinity
  fc.float(), // float32-representable: the 4-byte CBOR float path
  fc.integer({ min: -(2 ** 20), max: 2 ** 20 }).map((n) => n * 2 ** 40), // unsafe integers
  fc.constantFrom(...trickyNumbers),
)

// ---------------------------------------------------------------- bigints

const trickyBigInts = [
  0n, 1n, -1n, 23n, 24n, -25n, 2n ** 32n, 2n ** 53n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n,
  2n ** 64n - 1n, 2n ** 64n, 2n ** 64n + 1n, -(2n ** 64n), -(2n ** 64n) - 1n, 2n ** 128n, -(2n ** 200n) + 7n,
]

const bigintValue: fc.Arbitrary<bigint> = fc.oneof(
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }), // well beyond 64 bits
  fc.bigInt({ min: -(2n ** 64n) - 16n, max: -(2n ** 64n) + 16n }), // around the negint boundary
  fc.constantFrom(...trickyBigInts),
)

// ---------------------------------------------------------------- strings

const trickyChars = fc.constantFrom(
  'a', 'Z', '0', ' ', '\u0000', '\u007f', '\u0080', 'é', 'e\u0301', '\u00ff', '\u07ff', '\u0800', '€',
  '\ufeff', '\uffff', '😀', '\u{10ffff}', '👩‍👩‍👧',
  // No lone surrogates: they are not valid Unicode, and encoding refuses them (EncodingError).
)

const stringValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 8 }), // any code point: astral ones are surrogate pairs
  fc.string({ unit: trickyChars, maxLength: 10 }),
  // cborg encodes strings of 24+ UTF-16 units with Buffer in Node and of 200+ with
  // TextEncoder in browsers; shorter ones with its own loop: cover all three paths.
  fc.string({ unit: 'binary', minLength: 20, maxLength: 40, size: 'max' }),
  fc.string({ unit: trickyChars, minLength: 20, maxLength: 40, size: 'max' }),
  fc.string({ unit: 'binary', minLength: 190, maxLength: 260, size: 'max' }),
  fc.string({ unit: trickyChars, minLength: 190, maxLength: 260, size: 'max' }),
)

// ---------------------------------------------------------------- object keys

const keyValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 5 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
  fc.nat(1000).map(String), // integer-like keys: engines enumerate them first, in numeric order
  fc.constantFrom('', 'a', 'b', 'aa', 'ab', 'B', '0', '1', '10', '01', '-1', '1.5', '__proto__', 'constructor', 'toString', 'é', '😀'),
)

// ---------------------------------------------------------------- dates

const dateValue: fc.Arbitrary<Date> = fc.oneof(
  fc.date({ noInvalidDate: true }),
  fc.date({ noInvalidDate: true, min: new Date(-2000), max: new Date(2000) }),
  fc.integer({ min: -8.64e15, max: 8.64e15 }).map((ms) => new Date(ms)),
  fresh(
    () => new Date(0),
    () => new Date(-1),
    () => new Date(-1500),
    () => new Date(999),
    () => new Date(8.64e15),
    () => new Date(-8.64e15),
    () => new Date(Date.UTC(2026, 10, 22, 12, 34, 56, 789)),
  ),
)

// ---------------------------------------------------------------- binary

type AnyTypedArray = TypedArray

const arrayOptions = { maxLength: 6 }
const typedArrayArbitraries: Array<(options: { minLength?: number; maxLength: number }) => fc.Arbitrary<AnyTypedArray>> = [
  (o) => fc.uint8Array(o),
  (o) => fc.uint8ClampedArray(o),
  (o) => fc.int8Array(o),
  (o) => fc.uint16Array(o),
  (o) => fc.int16Array(o),
  (o) => fc.uint32Array(o),
  (o) => fc.int32Array(o),
  (o) => fc.float32Array(o),
  (o) => fc.float64Array(o),
  (o) => fc.bigInt64Array(o),
  (o) => fc.bigUint64Array(o),
]

/** A view into the middle of a larger buffer: byteOffset > 0 and maybe bytes after it. */
function offsetView(arbitrary: fc.Arbitrary<AnyTypedArray>): fc.Arbitrary<AnyTypedArray> {
  return fc.tuple(arbitrary, fc.nat(), fc.nat()).map(([array, a, b]) => {
    const start = 1 + (a % (array.length - 1))
    const end = start + (b % (array.length - start + 1))
    return array.subarray(start, end)
  })
}

/** Floats from raw bits: subnormals, odd NaN payloads, signalling NaNs. */
const rawBitFloats: fc.Arbitrary<AnyTypedArray> = fc
  .tuple(fc.uint8Array({ maxLength: 24 }), fc.boolean())
  .map(([bytes, wide]) => {
    const size = wide ? 8 : 4
    const copy = bytes.slice(0, bytes.length - (bytes.length % size))
    return wide ? new Float64Array(copy.buffer) : new Float32Array(copy.buffer)
  })

const nanPayloads: fc.Arbitrary<AnyTypedArray> = fresh<AnyTypedArray>(
  () => new Float64Array(new BigUint64Array([0x7ff0000000000001n, 0xfff8000000000000n, 0x7ff8dead0000beefn]).buffer),
  () => new Float32Array(new Uint32Array([0x7f800001, 0xffc00000, 0x7fc0beef]).buffer),
  () => new Float64Array([-0, 0, Infinity, -Infinity, NaN, Number.MIN_VALUE]),
  () => new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n]),
  () => new BigUint64Array([2n ** 64n - 1n, 0n]),
)

const typedArrayValue: fc.Arbitrary<AnyTypedArray> = fc.oneof(
  ...typedArrayArbitraries.map((make) => make(arrayOptions)),
  ...typedArrayArbitraries.map((make) => offsetView(make({ minLength: 2, maxLength: 8 }))),
  rawBitFloats,
  nanPayloads,
)

const arrayBufferValue: fc.Arbitrary<ArrayBuffer> = fc.oneof(
  fc.uint8Array({ maxLength: 12 }).map((bytes) => bytes.slice().buffer),
  fc.tuple(fc.uint8Array({ minLength: 1, maxLength: 12 }), fc.nat()).map(([bytes, n]) => bytes.buffer.slice(n % bytes.length)),
  fresh(() => new ArrayBuffer(0), () => new ArrayBuffer(3)),
)

// ---------------------------------------------------------------- composition

const leafValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(null, undefined, true, false), weight: 2 },
  { arbitrary: numberValue, weight: 4 },
  { arbitrary: bigintValue, weight: 2 },
  { arbitrary: stringValue, weight: 4 },
  { arbitrary: dateValue, weight: 1 },
  { arbitrary: typedArrayValue, weight: 3 },
  { arbitrary: arrayBufferValue, weight: 1 },
)

type Entries = Array<[string, unknown]>

function plainObject(entries: Entries): Record<string, unknown> {
  // fromEntries defines own data properties, so "__proto__" is a key, not the prototype.
  return Object.fromEntries(entries)
}

function nullPrototypeObject(entries: Entries): Record<string, unknown> {
  const object = Object.create(null) as Record<string, unknown>
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true })
  }
  return object
}

function reordered(entries: Entries, shift: number, reverse: boolean): Entries {
  const n = entries.length === 0 ? 0 : shift % entries.length
  const rotated = [...entries.slice(n), ...entries.slice(0, n)]
  return reverse ? rotated.reverse() : rotated
}

// A type alias, not an interface: fc.letrec's typed overload needs an index-compatible record.
type Tree = {
  value: unknown
  array: unknown[]
  entries: Entries
  object: Record<string, unknown>
  map: Map<unknown, unknown>
  set: Set<unknown>
}

const tree = fc.letrec<Tree>((tie) => ({
  value: fc.oneof(
    { maxDepth: MAX_DEPTH, depthSize: 'small' },
    { arbitrary: leafValue, weight: 8 },
    { arbitrary: tie('array'), weight: 2 },
    { arbitrary: tie('object'), weight: 2 },
    { arbitrary: tie('map'), weight: 2 },
    { arbitrary: tie('set'), weight: 1 },
  ),
  array: fc.array(tie('value'), { maxLength: MAX_ITEMS }),
  entries: fc.uniqueArray(fc.tuple(keyValue, tie('value')), { maxLength: MAX_ITEMS + 1, selector: ([key]) => key }),
  object: fc.oneof(
    tie('entries').map(plainObject),
    tie('entries').map(nullPrototypeObject),
    // Keys inserted in a rotated and maybe reversed order.
    fc.tuple(tie('entries'), fc.nat(), fc.boolean()).map(([entries, shift, reverse]) =>
      plainObject(reordered(entries, shift, reverse)),
    ),
  ),
  map: fc.oneof(
    fc.uniqueArray(fc.tuple(tie('value'), tie('value')), { maxLength: MAX_ITEMS, selector: keyIdentity }).map((entries) => new Map(entries)),
    // Maps keyed by objects and arrays (and, through `value`, by Maps and Sets).
    // Every cycle in this grammar goes through `value`, whose maxDepth bounds the nesting.
    fc
      .uniqueArray(fc.tuple(fc.oneof(tie('object'), tie('array'), tie('value')), tie('value')), { maxLength: 3, selector: keyIdentity })
      .map((entries) => new Map(entries)),
  ),
  set: fc.array(tie('value'), { maxLength: MAX_ITEMS }).map((items) => new Set(items)),
}))

/**
 * Every kind of value `addressOf` supports, nested up to depth 3 with small
 * collections. The top level is usually a non-empty array so that most samples
 * differ from each other (fast-check favours tiny values such as `[]` or `null`).
 */
export const arbitraryValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: tree.value, weight: 2 },
  { arbitrary: fc.array(tree.value, { minLength: 1, maxLength: MAX_ITEMS }), weight: 3 },
  // The same keys in two insertion orders, side by side.
  {
    arbitrary: fc
      .tuple(tree.entries.filter((entries) => entries.length > 1), fc.nat(), fc.boolean())
      .map(([entries, shift, reverse]) => [plainObject(entries), plainObject(reordered(entries, shift, reverse))]),
    weight: 1,
  },
)

/** `count` values drawn from `arbitraryValue`; the same seed gives the same values in Node and browsers. */
export function sampleValues(seed: number, count: number): unknown[] {
  return fc.sample(arbitraryValue, { seed, numRuns: count })
}
