import { isDeepStrictEqual } from 'node:util'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { addressOf, decodeCanonical, encodeCanonical } from '@tessera/core'
import { arbitraryValue } from '../../../tests/support/random-values.ts'

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex')

/** The same value with every object's keys, and every Map's and Set's entries, in reverse order. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered)
  if (value instanceof Map) return new Map([...value].reverse().map(([k, v]) => [reordered(k), reordered(v)]))
  if (value instanceof Set) return new Set([...value].reverse().map(reordered))
  if (typeof value === 'object' && value !== null && (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null)) {
    const copy: Record<string, unknown> = Object.getPrototypeOf(value) === null ? Object.create(null) : {}
    for (const key of Object.keys(value).reverse()) {
      // defineProperty, because assigning to `__proto__` would set the prototype instead.
      Object.defineProperty(copy, key, { value: reordered((value as Record<string, unknown>)[key]), enumerable: true, writable: true, configurable: true })
    }
    return copy
  }
  return value
}

describe('canonical encoding (property tests)', () => {
  it('decodes every encoding back to an equal value with the same bytes', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        const bytes = encodeCanonical(value)
        const decoded = decodeCanonical(bytes)
        expect(hex(encodeCanonical(decoded))).toBe(hex(bytes))
        expect(isDeepStrictEqual(decoded, value) || hasNaNPayloadOrProtoKey(value) || hasNullPrototype(value)).toBe(true)
      }),
      { numRuns: 1_000 },
    )
  })

  it('gives the same address whatever the order of keys and entries', () => {
    fc.assert(
      fc.property(arbitraryValue, (value) => {
        expect(addressOf(reordered(value))).toBe(addressOf(value))
      }),
      { numRuns: 1_000 },
    )
  })

  it('gives different addresses to different values, and equal addresses to equal ones', () => {
    fc.assert(
      fc.property(arbitraryValue, arbitraryValue, (a, b) => {
        if (hasNaNPayloadOrProtoKey(a) || hasNaNPayloadOrProtoKey(b)) return
        // A record is a record whatever its prototype: `Object.create(null)` and `{}` encode alike, by design.
        expect(addressOf(a) === addressOf(b)).toBe(isDeepStrictEqual(withPlainPrototypes(a), withPlainPrototypes(b)))
      }),
      { numRuns: 2_000 },
    )
  })

  it('tells apart the values that loose equality confuses', () => {
    const distinct = [0, -0, NaN, null, undefined, false, '', '0', 0n, [], {}, [undefined], { a: undefined }, new Map(), new Set(),
      new Uint8Array([1]), new Int8Array([1]), new Uint8ClampedArray([1]), new Float32Array([1]), new ArrayBuffer(1), new Date(0), 2 ** 53, 2 ** 53 + 2, 1.5]
    expect(new Set(distinct.map((v) => addressOf(v))).size).toBe(distinct.length)
  })

  it('refuses strings that are not valid Unicode rather than change them', () => {
    for (const bad of ['\udbff', 'a\udc00b', { ['\ud800']: 1 }, [new Map([['x\udfff', 1]])]]) {
      expect(() => encodeCanonical(bad, 'args')).toThrowError(expect.objectContaining({ name: 'EncodingError' }))
    }
    expect(addressOf('\ud83d\ude00')).toBe(addressOf('😀'))
  })

  it('keeps a leading byte-order mark', () => {
    for (const text of ['\ufeff', '\ufeffx', `\ufeff${'long '.repeat(20)}`]) {
      expect(decodeCanonical(encodeCanonical({ [text]: text }))).toEqual({ [text]: text })
    }
  })

  it('decodes a "__proto__" key as an own property, never as a prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}') as Record<string, unknown>
    const decoded = decodeCanonical(encodeCanonical(value)) as Record<string, unknown>
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype)
    expect(Object.keys(decoded).sort()).toEqual(['__proto__', 'x'])
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('refuses a Map with two keys of equal contents, which would collapse into one', () => {
    expect(() => encodeCanonical(new Map([[{}, 1], [{}, 2]]), 'args')).toThrowError(/same contents/)
    expect(() => encodeCanonical(new Map([[{ a: 1 }, 1], [{ a: 2 }, 2]]))).not.toThrow()
  })

  it('keeps the bytes of whatever surrounds a nested Map or Set', () => {
    const m = new Map<unknown, unknown>([[1, 2], [{ k: new Set([3, 1]) }, 'v']])
    const values = [m, { a: m }, [m, 5], [[m]], { x: 1, y: m }, new Map([[m, m]]), [new Set([1])]]
    expect(new Set(values.map((v) => addressOf(v))).size).toBe(values.length)
    for (const v of values) expect(isDeepStrictEqual(decodeCanonical(encodeCanonical(v)), v)).toBe(true)
  })
})

/** Objects without a prototype encode as plain objects, and decode as ordinary ones. */
/** The same value with every null-prototype object turned into a plain one. */
function withPlainPrototypes(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return value
  if (Array.isArray(value)) return value.map(withPlainPrototypes)
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [withPlainPrototypes(k), withPlainPrototypes(v)]))
  if (value instanceof Set) return new Set([...value].map(withPlainPrototypes))
  const copy: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    Object.defineProperty(copy, key, { value: withPlainPrototypes(item), enumerable: true, writable: true, configurable: true })
  }
  return copy
}

function hasNullPrototype(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return false
  if (Array.isArray(value)) return value.some(hasNullPrototype)
  if (value instanceof Map) return [...value].some(([k, v]) => hasNullPrototype(k) || hasNullPrototype(v))
  if (value instanceof Set) return [...value].some(hasNullPrototype)
  return Object.getPrototypeOf(value) === null || Object.values(value).some(hasNullPrototype)
}

/**
 * Two cases where byte identity and `isDeepStrictEqual` legitimately disagree:
 * float arrays holding NaNs with different bit patterns (equal by bytes, unequal
 * element-wise), and objects whose own key is `__proto__`.
 */
function hasNaNPayloadOrProtoKey(value: unknown, seen = new Set<unknown>()): boolean {
  if (typeof value !== 'object' || value === null || seen.has(value)) return false
  seen.add(value)
  if (value instanceof Float32Array || value instanceof Float64Array) return value.some((x) => Number.isNaN(x))
  if (Array.isArray(value)) return value.some((v) => hasNaNPayloadOrProtoKey(v, seen))
  if (value instanceof Map) return [...value].some(([k, v]) => hasNaNPayloadOrProtoKey(k, seen) || hasNaNPayloadOrProtoKey(v, seen))
  if (value instanceof Set) return [...value].some((v) => hasNaNPayloadOrProtoKey(v, seen))
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date) return false
  if (Object.prototype.hasOwnProperty.call(value, '__proto__')) return true
  return Object.values(value).some((v) => hasNaNPayloadOrProtoKey(v, seen))
}
