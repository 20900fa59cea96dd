import { addressOfBytes } from './address.ts'
import type { Address, TaskKey } from './ids.ts'

const TASK_KEY_TAG = 'tessera/task@1'
const utf8 = new TextEncoder()

/**
 * `hash(functionAddress, argsAddress)`: one call's identity, the same on every peer.
 * The hashed bytes are the canonical CBOR of `['tessera/task@1', fn, args]`,
 * written here directly: this runs on every memoized call, and going through
 * the general encoder cost as much as the hash itself. A test holds these
 * bytes equal to `encodeCanonical` of the same array.
 */
export function taskKeyOf(functionAddress: Address, argsAddress: Address): TaskKey {
  // A memoized call computes its key on every hit; a repeat costs two map lookups instead of a hash
  // (by function, then by arguments: no joined string to build and hash on each call).
  let ofFunction = recentKeys.get(functionAddress)
  const known = ofFunction?.get(argsAddress)
  if (known !== undefined) return known
  const key = addressOfBytes(taskKeyBytes(functionAddress, argsAddress)) as string as TaskKey
  // Bounded: everything goes once it is full; the next calls fill it again.
  if (recentCount >= RECENT_KEYS) {
    recentKeys.clear()
    recentCount = 0
    ofFunction = undefined
  }
  if (ofFunction === undefined) recentKeys.set(functionAddress, (ofFunction = new Map()))
  ofFunction.set(argsAddress, key)
  recentCount++
  return key
}

const RECENT_KEYS = 16_384
const recentKeys = new Map<Address, Map<Address, TaskKey>>()
let recentCount = 0

/** @internal The bytes `taskKeyOf` hashes. */
export function taskKeyBytes(functionAddress: string, argsAddress: string): Uint8Array {
  // Addresses are ASCII: their characters are their UTF-8 bytes, written here without an encoder.
  if (isAscii(functionAddress) && isAscii(argsAddress)) {
    const out = new Uint8Array(1 + TAG_BYTES.byteLength + textHeaderSize(functionAddress.length) + functionAddress.length + textHeaderSize(argsAddress.length) + argsAddress.length)
    out[0] = 0x83
    out.set(TAG_BYTES, 1)
    let at = writeAsciiText(out, 1 + TAG_BYTES.byteLength, functionAddress)
    at = writeAsciiText(out, at, argsAddress)
    return out
  }
  const parts = [TASK_KEY_TAG, functionAddress, argsAddress].map((text) => utf8.encode(text))
  let size = 1
  for (const part of parts) size += textHeaderSize(part.byteLength) + part.byteLength
  const out = new Uint8Array(size)
  out[0] = 0x80 | parts.length
  let at = 1
  for (const part of parts) {
    at = writeTextHeader(out, at, part.byteLength)
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** The tag as canonical CBOR text (header and bytes). */
const TAG_BYTES = ((): Uint8Array => {
  const text = utf8.encode(TASK_KEY_TAG)
  const out = new Uint8Array(textHeaderSize(text.byteLength) + text.byteLength)
  out.set(text, writeTextHeader(out, 0, text.byteLength))
  return out
})()

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false
  return true
}

function writeAsciiText(out: Uint8Array, at: number, text: string): number {
  let next = writeTextHeader(out, at, text.length)
  for (let i = 0; i < text.length; i++) out[next++] = text.charCodeAt(i)
  return next
}

function textHeaderSize(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5
}

// CBOR major type 3 (text string) with the shortest length form, as canonical CBOR requires.
function writeTextHeader(out: Uint8Array, at: number, length: number): number {
  if (length < 24) {
    out[at] = 0x60 | length
    return at + 1
  }
  if (length < 0x100) {
    out[at] = 0x78
    out[at + 1] = length
    return at + 2
  }
  if (length < 0x10000) {
    out[at] = 0x79
    out[at + 1] = length >> 8
    out[at + 2] = length & 0xff
    return at + 3
  }
  out[at] = 0x7a
  new DataView(out.buffer, out.byteOffset + at + 1, 4).setUint32(0, length)
  return at + 5
}
