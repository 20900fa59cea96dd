/** Base64url without padding: the spelling of keys and signatures inside ids and records (no `/` or `+`, so they fit id patterns). */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const LOOKUP = new Int16Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i
/** Twelve bits per pair of ASCII characters (first << 7 | second), -1 when either is not in the alphabet: half the lookups. */
const PAIRS = new Int16Array(128 * 128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) for (let j = 0; j < ALPHABET.length; j++) PAIRS[(ALPHABET.charCodeAt(i) << 7) | ALPHABET.charCodeAt(j)] = (i << 6) | j

export function toBase64Url(bytes: Uint8Array): string {
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

/** The bytes of `text`, or undefined when it is not canonical base64url of exactly `size` bytes. */
export function fromBase64Url(text: string, size: number): Uint8Array | undefined {
  if (text.length !== Math.ceil((size * 4) / 3)) return undefined
  const out = new Uint8Array(size)
  // Whole groups of four characters (three bytes) first: a reader decodes an audit path of 344 characters per report.
  const whole = text.length & ~3
  let at = 0
  for (let i = 0; i < whole; i += 4) {
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

function pair(text: string, i: number): number {
  const first = text.charCodeAt(i)
  const second = text.charCodeAt(i + 1)
  return (first | second) < 128 ? PAIRS[(first << 7) | second]! : -1
}

function digit(text: string, i: number): number {
  const code = text.charCodeAt(i)
  return code < 128 ? LOOKUP[code]! : -1
}
