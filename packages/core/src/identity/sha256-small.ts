import { nativeSha256Text } from '../sha256.ts'

/**
 * SHA-256 (FIPS 180-4) of one tag byte followed by up to two byte strings,
 * without building their concatenation: exactly what Merkle leaves (0x00 ‖
 * statement) and nodes (0x01 ‖ left ‖ right) hash. A reader hashes a leaf and
 * a node or two per record it checks; with a general-purpose hasher most of
 * that time went to making a hasher object, its buffers and views per call
 * (the dispatch bench's profile), not to the compression itself. Here the
 * scratch space is made once and only the 32-byte digest is allocated.
 * Synchronous and never re-entered, so sharing the scratch space is safe.
 * `sha256-small.test.ts` holds it to `@noble/hashes` on every length up to
 * several blocks, split every way.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
])
const INITIAL = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19])

const state = new Int32Array(8)
const words = new Int32Array(64)
const block = new Uint8Array(64)
let filled = 0

function compress(): void {
  for (let i = 0; i < 16; i++) words[i] = (block[4 * i]! << 24) | (block[4 * i + 1]! << 16) | (block[4 * i + 2]! << 8) | block[4 * i + 3]!
  for (let i = 16; i < 64; i++) {
    const w15 = words[i - 15]!
    const w2 = words[i - 2]!
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
    words[i] = (words[i - 16]! + s0 + words[i - 7]! + s1) | 0
  }
  let a = state[0]!
  let b = state[1]!
  let c = state[2]!
  let d = state[3]!
  let e = state[4]!
  let f = state[5]!
  let g = state[6]!
  let h = state[7]!
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + K[i]! + words[i]!) | 0
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0
    h = g
    g = f
    f = e
    e = (d + t1) | 0
    d = c
    c = b
    b = a
    a = (t1 + t2) | 0
  }
  state[0] = (state[0]! + a) | 0
  state[1] = (state[1]! + b) | 0
  state[2] = (state[2]! + c) | 0
  state[3] = (state[3]! + d) | 0
  state[4] = (state[4]! + e) | 0
  state[5] = (state[5]! + f) | 0
  state[6] = (state[6]! + g) | 0
  state[7] = (state[7]! + h) | 0
}

function feed(bytes: Uint8Array): void {
  let at = 0
  while (at < bytes.length) {
    const take = Math.min(64 - filled, bytes.length - at)
    for (let i = 0; i < take; i++) block[filled + i] = bytes[at + i]!
    filled += take
    at += take
    if (filled === 64) {
      compress()
      filled = 0
    }
  }
}

/** SHA-256 of the byte `tag` followed by `first` and then `second` (when given). */
export function sha256Tagged(tag: number, first: Uint8Array, second?: Uint8Array): Uint8Array {
  state.set(INITIAL)
  block[0] = tag
  filled = 1
  feed(first)
  if (second !== undefined) feed(second)
  return finish(1 + first.length + (second?.length ?? 0))
}

/** SHA-256 of `bytes`, with the scratch space above: for small inputs, where a general hasher's set-up per call costs more than the compression. */
export function sha256Small(bytes: Uint8Array): Uint8Array {
  state.set(INITIAL)
  filled = 0
  feed(bytes)
  return finish(bytes.length)
}

const encoder = new TextEncoder()

/**
 * SHA-256 of the byte `tag` followed by the UTF-8 bytes of `text`. Signed
 * statements are JSON of ids, base64url and numbers, nearly always ASCII, so
 * their characters go straight into the block: encoding them first cost a
 * typed array per statement, and in Chromium one over 64 bytes is an
 * off-heap allocation of 1–3 µs, the largest single cost of a tab's
 * signature path in the dispatch bench. Any other text is encoded by
 * `TextEncoder` and hashed as bytes, so the digest is always that of
 * `TextEncoder`'s bytes. Where the platform hashes text natively (Node), it
 * does, in about a third of the time.
 */
export function sha256TaggedText(tag: number, text: string): Uint8Array {
  // A tag below 0x80 is one byte of UTF-8: the native hash of tag and text is the same digest.
  return nativeSha256Text !== undefined && tag < 0x80 ? nativeSha256Text(String.fromCharCode(tag) + text) : portableSha256TaggedText(tag, text)
}

/** `sha256TaggedText` in JavaScript, as browsers run it (Node hashes text natively). */
export function portableSha256TaggedText(tag: number, text: string): Uint8Array {
  const length = text.length
  for (let i = 0; i < length; i++) if (text.charCodeAt(i) > 0x7f) return sha256Tagged(tag, encoder.encode(text))
  state.set(INITIAL)
  block[0] = tag
  filled = 1
  let at = 0
  while (at < length) {
    const take = Math.min(64 - filled, length - at)
    for (let i = 0; i < take; i++) block[filled + i] = text.charCodeAt(at + i)
    filled += take
    at += take
    if (filled === 64) {
      compress()
      filled = 0
    }
  }
  return finish(1 + length)
}

/** Pads the message of `bytes` bytes fed so far, compresses the last block(s) and returns the digest. */
function finish(bytes: number): Uint8Array {
  const bits = bytes * 8
  block[filled++] = 0x80
  if (filled > 56) {
    block.fill(0, filled)
    compress()
    filled = 0
  }
  block.fill(0, filled, 56)
  // The length in bits, big-endian over the last 8 bytes; inputs here are far below 2^32 bytes.
  const high = Math.floor(bits / 0x100000000)
  block[56] = high >>> 24
  block[57] = high >>> 16
  block[58] = high >>> 8
  block[59] = high
  block[60] = bits >>> 24
  block[61] = bits >>> 16
  block[62] = bits >>> 8
  block[63] = bits
  compress()
  const out = new Uint8Array(32)
  for (let i = 0; i < 8; i++) {
    const word = state[i]!
    out[4 * i] = word >>> 24
    out[4 * i + 1] = word >>> 16
    out[4 * i + 2] = word >>> 8
    out[4 * i + 3] = word
  }
  return out
}
