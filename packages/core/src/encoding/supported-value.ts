import { EncodingError } from '../errors.ts'

/** The values Tessera can address, store and pass to pure functions. */
export type Value =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Date
  | ArrayBuffer
  | TypedArray
  | readonly Value[]
  | ReadonlyMap<Value, Value>
  | ReadonlySet<Value>
  | { readonly [key: string]: Value }

export type TypedArray =
  | Uint8Array
  | Uint8ClampedArray
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array

/** The typed arrays the encoding supports, by constructor name. */
export const TYPED_ARRAY_NAMES = [
  'Uint8Array',
  'Uint8ClampedArray',
  'Int8Array',
  'Uint16Array',
  'Int16Array',
  'Uint32Array',
  'Int32Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
] as const

const TYPED_ARRAY_TAGS: ReadonlySet<string> = new Set(TYPED_ARRAY_NAMES)

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/**
 * Walks a value and throws an `EncodingError` naming the path of the first value
 * that has no canonical encoding: functions, symbols, class instances, invalid
 * dates, symbol keys and cycles.
 */
export function assertEncodable(value: unknown, rootName = 'value'): asserts value is Value {
  walk(value, rootName, new Set())
}

function walk(value: unknown, path: string, ancestors: Set<object>): void {
  switch (typeof value) {
    case 'undefined':
    case 'boolean':
    case 'number':
    case 'bigint':
      return
    case 'string':
      // UTF-8 would turn a lone surrogate into U+FFFD, and two different strings into one address.
      if (!isWellFormed(value)) throw new EncodingError(path, 'the string has a lone UTF-16 surrogate, so it is not valid Unicode')
      return
    case 'function':
      throw new EncodingError(path, 'functions cannot be encoded; pass data, or define a pure function and pass its result')
    case 'symbol':
      throw new EncodingError(path, 'symbols cannot be encoded')
  }
  if (value === null) return
  const object = value as object
  if (ancestors.has(object)) throw new EncodingError(path, 'the value refers to itself (a cycle)')
  const tag = Object.prototype.toString.call(object).slice(8, -1)
  if (TYPED_ARRAY_TAGS.has(tag) || tag === 'ArrayBuffer') return
  if (tag === 'Date') {
    if (Number.isNaN((object as Date).getTime())) throw new EncodingError(path, 'Invalid Date')
    return
  }
  ancestors.add(object)
  try {
    if (Array.isArray(object)) {
      object.forEach((item, i) => walk(item, `${path}[${i}]`, ancestors))
    } else if (object instanceof Map) {
      let i = 0
      for (const [key, item] of object) {
        walk(key, `${path}.<key ${i}>`, ancestors)
        walk(item, `${path}.get(${describeKey(key)})`, ancestors)
        i++
      }
    } else if (object instanceof Set) {
      let i = 0
      for (const item of object) walk(item, `${path}.<element ${i++}>`, ancestors)
    } else if (isPlainObject(object)) {
      if (Object.getOwnPropertySymbols(object).length > 0) {
        throw new EncodingError(path, 'objects with symbol keys cannot be encoded')
      }
      for (const key of Object.keys(object)) {
        if (!isWellFormed(key)) throw new EncodingError(`${path}.${key}`, 'the key has a lone UTF-16 surrogate, so it is not valid Unicode')
        walk(object[key], `${path}.${key}`, ancestors)
      }
    } else {
      const className = (object as { constructor?: { name?: string } }).constructor?.name ?? tag
      throw new EncodingError(
        path,
        `instances of ${className} cannot be encoded; use plain objects, arrays, Maps, Sets, typed arrays or Dates`,
      )
    }
  } finally {
    ancestors.delete(object)
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** `String.prototype.isWellFormed` (ES2024) where the engine has it: several times faster than the expression on short keys. */
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed

function isWellFormed(text: string): boolean {
  return nativeIsWellFormed === undefined ? !LONE_SURROGATE.test(text) : nativeIsWellFormed.call(text)
}

function describeKey(key: unknown): string {
  return typeof key === 'string' ? JSON.stringify(key) : typeof key === 'object' ? '<object>' : String(key)
}
