/**
 * Decoding of the plain shape (`plain-canonical.ts`'s, plus floats) written
 * directly: definite-length arrays, maps with ASCII text keys (as plain
 * objects), ASCII text, integers with at most a 4-byte argument, floats,
 * booleans, null and undefined, every head in its shortest form. Anything
 * else (tags, byte strings, non-ASCII text, 8-byte integers, indefinite
 * lengths, a head longer than it needs, a `__proto__` key, a repeated key,
 * nesting past `MAX_DEPTH`, bytes missing or left over) makes
 * `decodePlainCanonical` return undefined, and the caller takes cborg's path,
 * which decodes or reports as before.
 *
 * Why: a memoized call's hit decodes its result from the value index every
 * time, and cborg's option merging, tokenizer and token objects cost about
 * ten times this for a small value. A property test holds the results equal
 * to cborg's.
 */

const MAX_DEPTH = 64

/** Thrown inside the decoder to leave for the general path; never escapes. */
const NOT_PLAIN = Symbol('not plain')

class Reader {
  at = 0
  #view: DataView | undefined

  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.at >= this.bytes.length) throw NOT_PLAIN
    return this.bytes[this.at++] as number
  }

  /** The argument of a head whose first byte had `minor`: at most 4 bytes, and only when shorter would not do. */
  argument(minor: number): number {
    if (minor < 24) return minor
    if (minor === 24) {
      const n = this.byte()
      if (n < 24) throw NOT_PLAIN
      return n
    }
    if (minor === 25) {
      const n = (this.byte() << 8) | this.byte()
      if (n < 0x100) throw NOT_PLAIN
      return n
    }
    if (minor === 26) {
      const n = this.byte() * 0x1000000 + ((this.byte() << 16) | (this.byte() << 8) | this.byte())
      if (n < 0x10000) throw NOT_PLAIN
      return n
    }
    throw NOT_PLAIN
  }

  view(size: number): DataView {
    if (this.at + size > this.bytes.length) throw NOT_PLAIN
    this.#view ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
    return this.#view
  }

  ascii(length: number): string {
    const end = this.at + length
    if (end > this.bytes.length) throw NOT_PLAIN
    const b = this.bytes
    let text = ''
    for (let i = this.at; i < end; i++) {
      const c = b[i] as number
      if (c > 0x7f) throw NOT_PLAIN
      text += String.fromCharCode(c)
    }
    this.at = end
    return text
  }
}

/** IEEE half precision, as cborg reads it. */
function half(bits: number): number {
  if (bits === 0x7c00) return Infinity
  if (bits === 0xfc00) return -Infinity
  if (bits === 0x7e00) return NaN
  const exp = (bits >> 10) & 0x1f
  const mant = bits & 0x3ff
  const magnitude = exp === 0 ? mant * 2 ** -24 : exp !== 31 ? (mant + 1024) * 2 ** (exp - 25) : mant === 0 ? Infinity : NaN
  return bits & 0x8000 ? -magnitude : magnitude
}

function read(r: Reader, depth: number): unknown {
  const first = r.byte()
  const major = first >> 5
  const minor = first & 0x1f
  switch (major) {
    case 0:
      return r.argument(minor)
    case 1:
      return -1 - r.argument(minor)
    case 3:
      return r.ascii(r.argument(minor))
    case 4: {
      if (depth >= MAX_DEPTH) throw NOT_PLAIN
      const length = r.argument(minor)
      // Every element takes at least a byte: a length past the bytes left is malformed, and must not allocate.
      if (length > r.bytes.length - r.at) throw NOT_PLAIN
      const array: unknown[] = []
      for (let i = 0; i < length; i++) array[i] = read(r, depth + 1)
      return array
    }
    case 5: {
      if (depth >= MAX_DEPTH) throw NOT_PLAIN
      const size = r.argument(minor)
      const record: Record<string, unknown> = {}
      for (let i = 0; i < size; i++) {
        const keyHead = r.byte()
        if (keyHead >> 5 !== 3) throw NOT_PLAIN
        const key = r.ascii(r.argument(keyHead & 0x1f))
        if (key === '__proto__' || Object.hasOwn(record, key)) throw NOT_PLAIN
        record[key] = read(r, depth + 1)
      }
      return record
    }
    case 7:
      switch (minor) {
        case 20:
          return false
        case 21:
          return true
        case 22:
          return null
        case 23:
          return undefined
        case 25: {
          const bits = (r.byte() << 8) | r.byte()
          return half(bits)
        }
        case 26: {
          const value = r.view(4).getFloat32(r.at, false)
          r.at += 4
          return value
        }
        case 27: {
          const value = r.view(8).getFloat64(r.at, false)
          r.at += 8
          return value
        }
        default:
          throw NOT_PLAIN
      }
    default:
      throw NOT_PLAIN
  }
}

/** The value of `bytes` when they hold the plain shape above, exactly as cborg decodes it; undefined otherwise. */
export function decodePlainCanonical(bytes: Uint8Array): { value: unknown } | undefined {
  const r = new Reader(bytes)
  try {
    const value = read(r, 0)
    return r.at === bytes.length ? { value } : undefined
  } catch (error) {
    if (error === NOT_PLAIN) return undefined
    throw error
  }
}
