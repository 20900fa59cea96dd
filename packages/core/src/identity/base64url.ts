/** Base64url without padding: the spelling of keys and signatures inside ids and records (no `/` or `+`, so they fit id patterns). */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i
/** Twelve bits per pair of ASCII characters (first << 7 | second), -1 when either is not in the alphabet: half the lookups. */
const PAIRS = new Int16Array(128 * 128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) for (let j = 0; j < ALPHABET.length; j++) PAIRS[(ALPHABET.charCodeAt(i) << 7) | ALPHABET.charCodeAt(j)] = (i << 6) | j

export function toBase64Url(bytes: Uint8Array): string {
  return nativeEncoder !== undefined && bytes.length >= NATIVE_FROM ? nativeEncoder(bytes) : portableToBase64Url(bytes)
}

function portableToBase64Url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i]! << 16
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8)
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]!
  }
  return out
}

/**
 * The platform's own encoder, for long inputs: a signer spells an audit path
 * of 256 bytes per leaf, and in a tab building that string a character group
 * at a time was the largest cost of signing a batch (2–16 µs a path in the
 * dispatch bench's profile). `Uint8Array.prototype.toBase64` (Chromium,
 * Firefox, Safari, newer Node) or Node's Buffer; either gives exactly this
 * module's spelling (base64url, no padding), and one that fails a known
 * answer at load is not used.
 */
const nativeEncoder: ((bytes: Uint8Array) => string) | undefined = platformEncoder()

function platformEncoder(): ((bytes: Uint8Array) => string) | undefined {
  type ToBase64 = (this: Uint8Array, options: { alphabet: 'base64url'; omitPadding: boolean }) => string
  const toBase64 = (Uint8Array.prototype as unknown as { toBase64?: ToBase64 }).toBase64
  type NodeBuffer = { from(buffer: ArrayBufferLike, offset: number, length: number): { toString(encoding: 'base64url'): string } }
  const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer
  const candidate: ((bytes: Uint8Array) => string) | undefined =
    typeof toBase64 === 'function'
      ? (bytes) => toBase64.call(bytes, { alphabet: 'base64url', omitPadding: true })
      : typeof buffer?.from === 'function'
        ? (bytes) => buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url')
        : undefined
  if (candidate === undefined) return undefined
  try {
    // 70 bytes: whole groups and a partial one, every alphabet region.
    const probe = Uint8Array.from({ length: 70 }, (_, i) => (i * 37 + 251) & 0xff)
    return candidate(probe) === portableToBase64Url(probe) ? candidate : undefined
  } catch {
    return undefined
  }
}

/**
 * The bytes of `text`, or undefined when it is not canonical base64url of
 * exactly `size` bytes. With `into` (at least `size` bytes, which the caller
 * owns and reuses), they are written there and a view of them returned: a
 * typed array over 64 bytes costs an off-heap allocation, about as much as
 * decoding a 256-byte audit path.
 */
export function fromBase64Url(text: string, size: number, into?: Uint8Array): Uint8Array | undefined {
  if (text.length !== Math.ceil((size * 4) / 3)) return undefined
  if (into !== undefined && into.byteLength < size) throw new RangeError(`fromBase64Url needs ${size} bytes to write into, not ${into.byteLength}`)
  const out = into === undefined ? new Uint8Array(size) : into.subarray(0, size)
  // Whole groups of four characters (three bytes) first: a reader decodes an audit path of 342 characters per report.
  const whole = text.length & ~3
  let at = 0
  let i = 0
  if (native !== undefined && whole >= NATIVE_FROM) {
    if (!ALPHABET_ONLY.test(text)) return undefined
    at = native(whole === text.length ? text : text.slice(0, whole), out)
    if (at !== (whole / 4) * 3) return undefined
    i = whole
  }
  for (; i < whole; i += 4) {
    const n = (pair(text, i) << 12) | pair(text, i + 2)
    // A bad pair is -1: the whole group goes negative (bit 31 set), which no valid group has.
    if (n < 0) return undefined
    out[at] = n >> 16
    out[at + 1] = (n >> 8) & 0xff
    out[at + 2] = n & 0xff
    at += 3
  }
  let bits = 0
  let value = 0
  for (let i = whole; i < text.length; i++) {
    const d = digit(text, i)
    if (d < 0) return undefined
    value = (value << 6) | d
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[at++] = (value >> bits) & 0xff
    }
  }
  // Leftover bits must be zero, so that every byte string has exactly one spelling.
  if ((value & ((1 << bits) - 1)) !== 0) return undefined
  return out
}

/**
 * The platform's own decoder, for the whole groups of long texts: in the
 * dispatch bench, decoding audit paths in JS was the largest single cost of
 * checking a proof on the host. Used only on texts of alphabet characters
 * only, cut to whole groups of four, where every base64url decoder gives the
 * same bytes (no padding, no whitespace, no partial group to be lenient
 * about); the tail and its canonical check stay here. A decoder that fails a
 * known answer at load (a partial polyfill, say) is not used.
 */
/** Decodes `groups` into the start of `into`; the number of bytes written. */
type Decoder = (groups: string, into: Uint8Array) => number
const NATIVE_FROM = 64
const ALPHABET_ONLY = /^[A-Za-z0-9_-]*$/
const native: Decoder | undefined = platformDecoder()

function platformDecoder(): Decoder | undefined {
  type SetFromBase64 = (this: Uint8Array, text: string, options: { alphabet: 'base64url' }) => { written: number }
  const setFromBase64 = (Uint8Array.prototype as unknown as { setFromBase64?: SetFromBase64 }).setFromBase64
  const buffer = (globalThis as { Buffer?: { from?: (text: string, encoding: 'base64url') => Uint8Array } }).Buffer
  const candidate: Decoder | undefined =
    typeof setFromBase64 === 'function'
      ? (groups, into) => setFromBase64.call(into, groups, { alphabet: 'base64url' }).written
      : typeof buffer?.from === 'function'
        ? (groups, into) => {
            // Small Buffers come from Node's shared pool: no allocation of their own.
            const bytes = buffer.from!(groups, 'base64url')
            into.set(bytes)
            return bytes.byteLength
          }
        : undefined
  if (candidate === undefined) return undefined
  try {
    const probe = new Uint8Array(6)
    const agrees = candidate('-_-_AQID', probe) === 6 && [0xfb, 0xff, 0xbf, 0x01, 0x02, 0x03].every((b, j) => probe[j] === b)
    return agrees ? candidate : undefined
  } catch {
    return undefined
  }
}

function pair(text: string, i: number): number {
  const first = text.charCodeAt(i)
  const second = text.charCodeAt(i + 1)
  return (first | second) < 128 ? PAIRS[(first << 7) | second]! : -1
}

function digit(text: string, i: number): number {
  const code = text.charCodeAt(i)
  return code < 128 ? LOOKUP[code]! : -1
}
