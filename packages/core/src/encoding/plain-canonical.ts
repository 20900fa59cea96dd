/**
 * Canonical CBOR for the common shape of call arguments, written directly:
 * plain objects with ASCII keys, arrays, strings, safe integers, booleans,
 * null and undefined. Anything else (floats, -0, bigints, Maps, Sets, typed
 * arrays, Dates, a non-ASCII key, a lone surrogate, a class instance, a
 * function, a symbol key, nesting past `MAX_DEPTH`, which a cycle reaches)
 * makes `encodePlainCanonical` return undefined, and the caller takes the
 * general path (`canonical.ts`), which checks and reports as before.
 *
 * Why: a graph of 100,000 calls encodes 100,000 small argument objects, and
 * the general encoder's walk plus cborg's token and sort machinery cost about
 * ten times this. A property test holds the bytes equal to cborg's.
 */

const MAX_DEPTH = 64
const utf8 = new TextEncoder()
const nativeIsWellFormed = (String.prototype as { isWellFormed?: (this: string) => boolean }).isWellFormed

/** Thrown inside the encoder to leave for the general path; never escapes. */
const NOT_PLAIN = Symbol('not plain')

class Writer {
  at = 0

  constructor(public bytes: Uint8Array) {}

  reserve(n: number): void {
    if (this.at + n <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.at + n))
    grown.set(this.bytes.subarray(0, this.at))
    this.bytes = grown
  }

  /** A CBOR head: major type and argument, in the shortest form. */
  head(major: number, n: number): void {
    this.reserve(9)
    const b = this.bytes
    const m = major << 5
    if (n < 24) b[this.at++] = m | n
    else if (n < 0x100) {
      b[this.at++] = m | 24
      b[this.at++] = n
    } else if (n < 0x10000) {
      b[this.at++] = m | 25
      b[this.at++] = n >>> 8
      b[this.at++] = n & 0xff
    } else if (n < 0x100000000) {
      b[this.at++] = m | 26
      this.uint32(n)
    } else {
      b[this.at++] = m | 27
      this.uint32(Math.floor(n / 0x100000000))
      this.uint32(n >>> 0)
    }
  }

  uint32(n: number): void {
    const b = this.bytes
    b[this.at++] = n >>> 24
    b[this.at++] = (n >>> 16) & 0xff
    b[this.at++] = (n >>> 8) & 0xff
    b[this.at++] = n & 0xff
  }

  string(text: string): void {
    if (isAscii(text)) {
      this.head(3, text.length)
      this.reserve(text.length)
      const b = this.bytes
      for (let i = 0; i < text.length; i++) b[this.at++] = text.charCodeAt(i)
      return
    }
    // UTF-8 would turn a lone surrogate into U+FFFD: the general path reports it.
    if (nativeIsWellFormed === undefined || !nativeIsWellFormed.call(text)) throw NOT_PLAIN
    const encoded = utf8.encode(text)
    this.head(3, encoded.byteLength)
    this.reserve(encoded.byteLength)
    this.bytes.set(encoded, this.at)
    this.at += encoded.byteLength
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

/** Canonical order of ASCII text keys: shorter first, then by bytes (cborg's, RFC 7049 §3.9). */
function compareKeys(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)
}

function write(out: Writer, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      out.string(value)
      return
    case 'number':
      if (!Number.isSafeInteger(value) || Object.is(value, -0)) throw NOT_PLAIN
      if (value >= 0) out.head(0, value)
      else out.head(1, -1 - value)
      return
    case 'boolean':
      out.reserve(1)
      out.bytes[out.at++] = value ? 0xf5 : 0xf4
      return
    case 'undefined':
      out.reserve(1)
      out.bytes[out.at++] = 0xf7
      return
    case 'object':
      break
    default:
      throw NOT_PLAIN
  }
  if (value === null) {
    out.reserve(1)
    out.bytes[out.at++] = 0xf6
    return
  }
  if (depth >= MAX_DEPTH) throw NOT_PLAIN
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) throw NOT_PLAIN
    out.head(4, value.length)
    for (let i = 0; i < value.length; i++) write(out, value[i], depth + 1)
    return
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN
  if (Object.getOwnPropertySymbols(value).length > 0) throw NOT_PLAIN
  const keys = Object.keys(value)
  for (const key of keys) if (!isAscii(key)) throw NOT_PLAIN
  keys.sort(compareKeys)
  out.head(5, keys.length)
  const record = value as Record<string, unknown>
  for (const key of keys) {
    out.string(key)
    write(out, record[key], depth + 1)
  }
}

/** The canonical bytes of `value` when it has the plain shape above; undefined otherwise. */
export function encodePlainCanonical(value: unknown): Uint8Array | undefined {
  // One scratch buffer, the result copied out: a getter that encodes while this encodes gets a buffer of its own.
  const scratch = idleScratch ?? new Uint8Array(256)
  idleScratch = undefined
  const out = new Writer(scratch)
  try {
    write(out, value, 0)
    return out.bytes.slice(0, out.at)
  } catch (error) {
    if (error === NOT_PLAIN) return undefined
    throw error
  } finally {
    if (out.bytes.byteLength <= MAX_SCRATCH_BYTES) idleScratch = out.bytes
  }
}
let idleScratch: Uint8Array | undefined = new Uint8Array(256)
const MAX_SCRATCH_BYTES = 64 * 1024
