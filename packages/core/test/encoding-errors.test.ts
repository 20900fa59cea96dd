import { describe, expect, it } from 'vitest'
import { addressOf, decodeCanonical, encodeCanonical, EncodingError } from '@tessera/core'

function pathOf(value: unknown): string {
  try {
    encodeCanonical(value, 'args')
  } catch (error) {
    expect(error).toBeInstanceOf(EncodingError)
    return (error as EncodingError).path
  }
  throw new Error('expected an EncodingError')
}

describe('values without a canonical encoding', () => {
  it('are refused with the path of the bad part', () => {
    class Model {
      fit(): number {
        return 1
      }
    }
    const cyclic: Record<string, unknown> = { x: {} }
    ;(cyclic.x as Record<string, unknown>).y = cyclic
    expect(pathOf({ model: { fit: () => 1 } })).toBe('args.model.fit')
    expect(pathOf({ tag: Symbol('t') })).toBe('args.tag')
    expect(pathOf({ a: [1, new Model()] })).toBe('args.a[1]')
    expect(pathOf(cyclic)).toBe('args.x.y')
    expect(pathOf({ when: new Date(Number.NaN) })).toBe('args.when')
    expect(pathOf({ m: new Map([['k', () => 0]]) })).toBe('args.m.get("k")')
    expect(pathOf({ s: new Set([new WeakMap()]) })).toBe('args.s.<element 0>')
    expect(pathOf({ [Symbol('hidden')]: 1 })).toBe('args')
    expect(pathOf({ view: new DataView(new ArrayBuffer(4)) })).toBe('args.view')
  })

  it('are refused with a message that says what to do instead', () => {
    expect(() => encodeCanonical({ model: { fit: () => 1 } }, 'args')).toThrowError(/functions cannot be encoded/)
    expect(() => encodeCanonical({ p: new (class Point {})() }, 'args')).toThrowError(/instances of Point cannot be encoded; use plain objects/)
  })

  it('include a shared, non-cyclic reference, which is fine', () => {
    const shared = { k: 1 }
    expect(decodeCanonical(encodeCanonical({ a: shared, b: shared }))).toEqual({ a: { k: 1 }, b: { k: 1 } })
  })

  it('never reach the hash: addressOf refuses them the same way', () => {
    expect(() => addressOf({ f: () => 0 })).toThrowError(EncodingError)
  })
})

describe('malformed bytes', () => {
  it.each([
    ['empty', new Uint8Array()],
    ['truncated', encodeCanonical({ a: 'long enough string' }).subarray(0, 6)],
    ['trailing bytes', new Uint8Array([...encodeCanonical(1), 0x01])],
    ['unknown tag', new Uint8Array([0xd9, 0x27, 0x10, 0x01])],
    ['non-minimal integer', new Uint8Array([0x18, 0x01])],
    ['random', new Uint8Array([0xff, 0xfe, 0x13, 0x37])],
  ])('%s bytes give a DecodingError', (_label, bytes) => {
    expect(() => decodeCanonical(bytes)).toThrowError(expect.objectContaining({ name: 'DecodingError' }))
  })
})
