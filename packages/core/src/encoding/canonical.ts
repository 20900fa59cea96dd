import { decode as cborDecode, encode as cborEncode, encodeInto, objectToTokens, Token, Tokenizer, Type } from 'cborg'
import { encodedLength } from 'cborg/length'
import type { DecodeOptions, EncodeOptions, TagDecoder, TypeEncoder } from 'cborg'
import * as taglib from 'cborg/taglib'
import { DecodingError, EncodingError } from '../errors.ts'
import { assertEncodable, type Value } from './supported-value.ts'
import { copyBytes } from '../bytes.ts'
import { encodePlainCanonical } from './plain-canonical.ts'
import { decodePlainCanonical } from './plain-decode.ts'
import { TYPED_ARRAY_TAG_DECODERS } from './typed-array-tags.ts'

/**
 * Deterministic CBOR (RFC 8949 §4.2 core rules, via cborg) with the standard tags
 * for JavaScript types: bignums (2/3), typed arrays (RFC 8746, 64–86), Set (258),
 * Map (259), extended time (1001, RFC 9581) and a tag-27 object for ArrayBuffer.
 * Map keys and Set elements are sorted by their own canonical bytes, so insertion
 * order never changes the bytes.
 */

const TAG_EXTENDED_TIME = 1001
const TAG_OBJECT_CLASS = 27
// RFC 9581 extended time keys: 1 is whole epoch seconds, -3 is milliseconds.
const TIME_SECONDS = 1
const TIME_MILLIS = -3

type Reference = Parameters<typeof objectToTokens>[2]
type Tokens = ReturnType<typeof objectToTokens>

function intToken(n: number): Token {
  return n >= 0 ? new Token(Type.uint, n) : new Token(Type.negint, n)
}

function numberEncoder(n: number): Token[] | null {
  // Safe integers go out as CBOR integers; everything else is a float, so that
  // decoding never turns a large integral number into a bigint.
  if (Object.is(n, -0) || (Number.isInteger(n) && !Number.isSafeInteger(n))) return [new Token(Type.float, n)]
  return null
}

function dateEncoder(date: Date): Tokens {
  const millis = date.getTime()
  const seconds = Math.floor(millis / 1000)
  const entries: Tokens[] = [[intToken(TIME_SECONDS), intToken(seconds)]]
  const rest = millis - seconds * 1000
  if (rest !== 0) entries.push([intToken(TIME_MILLIS), intToken(rest)])
  return [new Token(Type.tag, TAG_EXTENDED_TIME), new Token(Type.map, entries.length), entries]
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return a.length - b.length
}

/**
 * The canonical bytes of a Map key or Set element, for sorting. cborg encodes
 * into one shared buffer, and this runs in the middle of an encode, so it must
 * write into a buffer of its own: reusing `encode` here would wipe whatever the
 * outer encode had written before the Map or Set.
 */
function sortKeyBytes(value: unknown): Uint8Array {
  const bytes = new Uint8Array(encodedLength(value, ENCODE_OPTIONS))
  const { written } = encodeInto(value, bytes, ENCODE_OPTIONS)
  return written === bytes.length ? bytes : bytes.subarray(0, written)
}

function sortedByEncoding<T>(items: T[], keyOf: (item: T) => unknown, duplicate?: () => Error): T[] {
  const keyed = items.map((item) => ({ item, bytes: sortKeyBytes(keyOf(item)) }))
  keyed.sort((x, y) => compareBytes(x.bytes, y.bytes))
  if (duplicate !== undefined) {
    for (let i = 1; i < keyed.length; i++) {
      if (compareBytes((keyed[i - 1] as { bytes: Uint8Array }).bytes, (keyed[i] as { bytes: Uint8Array }).bytes) === 0) throw duplicate()
    }
  }
  return keyed.map((k) => k.item)
}

function mapEncoder(map: Map<unknown, unknown>, _typ: string, options: EncodeOptions, refStack?: Reference): Tokens {
  // Two distinct key objects with equal contents would be one key once encoded.
  const duplicate = (): Error => new Error('two keys of a Map have the same contents, so they would be one key once encoded')
  const entries = sortedByEncoding([...map], ([key]) => key, duplicate).map(([key, value]) => [
    objectToTokens(key, options, refStack),
    objectToTokens(value, options, refStack),
  ])
  return [new Token(Type.tag, taglib.TAG_MAP), new Token(Type.map, entries.length), entries]
}

function setEncoder(set: Set<unknown>, _typ: string, options: EncodeOptions, refStack?: Reference): Tokens {
  const values = sortedByEncoding([...set], (v) => v).map((v) => objectToTokens(v, options, refStack))
  return [new Token(Type.tag, taglib.TAG_SET), new Token(Type.array, values.length), values]
}

function arrayBufferEncoder(buffer: ArrayBuffer): Tokens {
  return [
    new Token(Type.tag, TAG_OBJECT_CLASS),
    new Token(Type.array, 2),
    [new Token(Type.string, 'ArrayBuffer'), new Token(Type.bytes, new Uint8Array(buffer))],
  ]
}

const typeEncoders: Record<string, TypeEncoder> = {
  number: numberEncoder as TypeEncoder,
  bigint: taglib.structBigIntEncoder as TypeEncoder,
  Date: dateEncoder as TypeEncoder,
  Map: mapEncoder as TypeEncoder,
  Set: setEncoder as TypeEncoder,
  ArrayBuffer: arrayBufferEncoder as TypeEncoder,
  Uint8Array: taglib.uint8ArrayEncoder as TypeEncoder,
  Uint8ClampedArray: taglib.uint8ClampedArrayEncoder as TypeEncoder,
  Int8Array: taglib.int8ArrayEncoder as TypeEncoder,
  Uint16Array: taglib.uint16ArrayEncoder as TypeEncoder,
  Int16Array: taglib.int16ArrayEncoder as TypeEncoder,
  Uint32Array: taglib.uint32ArrayEncoder as TypeEncoder,
  Int32Array: taglib.int32ArrayEncoder as TypeEncoder,
  Float32Array: taglib.float32ArrayEncoder as TypeEncoder,
  Float64Array: taglib.float64ArrayEncoder as TypeEncoder,
  BigInt64Array: taglib.bigInt64ArrayEncoder as TypeEncoder,
  BigUint64Array: taglib.bigUint64ArrayEncoder as TypeEncoder,
}

const ENCODE_OPTIONS: EncodeOptions = { typeEncoders, float64: false }

function extendedTimeDecoder(decode: Parameters<TagDecoder>[0]): Date {
  const fields = new Map(decode.entries())
  const seconds = fields.get(TIME_SECONDS)
  const millis = fields.get(TIME_MILLIS) ?? 0
  if (typeof seconds !== 'number' || typeof millis !== 'number' || fields.size > 2) {
    throw new DecodingError('malformed extended time (tag 1001)')
  }
  return new Date(seconds * 1000 + millis)
}

function objectClassDecoder(decode: Parameters<TagDecoder>[0]): ArrayBuffer {
  const body = decode()
  if (!Array.isArray(body) || body[0] !== 'ArrayBuffer' || !(body[1] instanceof Uint8Array) || body.length !== 2) {
    throw new DecodingError('tag 27 is only used for ArrayBuffer')
  }
  return copyBytes(body[1]).buffer
}

const tags: TagDecoder[] = []
tags[taglib.TAG_BIGINT_POS] = taglib.bigIntDecoder
tags[taglib.TAG_BIGINT_NEG] = taglib.bigNegIntDecoder
tags[taglib.TAG_SET] = taglib.setDecoder
tags[taglib.TAG_MAP] = taglib.mapDecoder
tags[TAG_EXTENDED_TIME] = extendedTimeDecoder as TagDecoder
tags[TAG_OBJECT_CLASS] = objectClassDecoder as TagDecoder
for (const [tag, decoder] of TYPED_ARRAY_TAG_DECODERS) tags[tag] = decoder

const DECODE_OPTIONS: DecodeOptions = {
  tags,
  useMaps: false,
  allowUndefined: true,
  strict: true,
  rejectDuplicateMapKeys: true,
}

function encodeValidated(value: unknown): Uint8Array {
  return cborEncode(value, ENCODE_OPTIONS)
}

/** The canonical bytes of `value`. Throws `EncodingError` with the path of any unsupported part. */
export function encodeCanonical(value: unknown, rootName = 'value'): Uint8Array {
  const plain = encodePlainCanonical(value)
  if (plain !== undefined) return plain
  assertEncodable(value, rootName)
  try {
    return encodeValidated(value)
  } catch (error) {
    throw new EncodingError(rootName, error instanceof Error ? error.message : String(error))
  }
}

/**
 * The canonical bytes of a value this process assembled from parts already
 * checked (a cache tree node, `cache-tree/node.ts`), without walking it again
 * for unsupported types: the walk costs more than the encoding for a node of
 * a thousand strings. The bytes are those `encodeCanonical` gives.
 */
export function encodeCanonicalTrusted(value: unknown): Uint8Array {
  return encodeValidated(value)
}

const BOM_PRESERVING = new TextDecoder('utf-8', { ignoreBOM: true })

/**
 * cborg decodes text with a default TextDecoder, which drops a leading U+FEFF,
 * so "\uFEFFx" would come back as "x". Strings whose bytes start with the BOM
 * are decoded again here, keeping it.
 */
class BomPreservingTokenizer {
  readonly #inner: Tokenizer

  constructor(bytes: Uint8Array) {
    this.#inner = new Tokenizer(bytes, { ...DECODE_OPTIONS, retainStringBytes: true })
  }

  done(): boolean {
    return this.#inner.done()
  }

  pos(): number {
    return this.#inner.pos()
  }

  next(): Token {
    const token = this.#inner.next()
    const raw = token.byteValue
    if (token.type === Type.string && raw !== undefined && raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf) {
      token.value = BOM_PRESERVING.decode(raw)
    }
    return token
  }
}

/** Decodes canonical bytes. Throws `DecodingError` for anything malformed. */
export function decodeCanonical(bytes: Uint8Array): Value {
  const plain = decodePlainCanonical(bytes)
  return plain !== undefined ? (plain.value as Value) : decodeWithCborg(bytes)
}

/** `decodeCanonical` without the plain fast path: what the property test holds that path to. */
export function decodeWithCborg(bytes: Uint8Array): Value {
  try {
    return cborDecode(bytes, { ...DECODE_OPTIONS, tokenizer: new BomPreservingTokenizer(bytes) }) as Value
  } catch (error) {
    if (error instanceof DecodingError) throw error
    throw new DecodingError(`malformed value bytes: ${error instanceof Error ? error.message : String(error)}`)
  }
}
