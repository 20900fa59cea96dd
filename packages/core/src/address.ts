import { sha256 } from '@noble/hashes/sha2.js'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { AddressError, IntegrityError } from './errors.ts'
import type { Address } from './ids.ts'
import { encodeCanonical } from './encoding/canonical.ts'

/**
 * An address is a CIDv1 (base32) over SHA-256 of the canonical bytes, so the store
 * is readable by IPFS tools. docs/hashing.md records why SHA-256 and the numbers.
 */
export const SHA2_256 = 0x12
/** Multicodec of Tessera's canonical value bytes (deterministic CBOR). */
export const CBOR_CODEC = 0x51
/** Multicodec for bytes that are not a Tessera value (raw blobs). */
export const RAW_CODEC = 0x55

export function addressOfBytes(bytes: Uint8Array, codec: number = CBOR_CODEC): Address {
  return CID.createV1(codec, Digest.create(SHA2_256, sha256(bytes))).toString() as Address
}

/** The address of a value: the hash of its canonical encoding. */
export function addressOf(value: unknown): Address {
  return addressOfBytes(encodeCanonical(value))
}

/** The address together with the bytes it names, for callers that store the value too. */
export function encodeAndAddress(value: unknown, rootName = 'value'): { bytes: Uint8Array; address: Address } {
  const bytes = encodeCanonical(value, rootName)
  return { bytes, address: addressOfBytes(bytes) }
}

export function parseAddress(text: string): CID {
  let cid: CID
  try {
    cid = CID.parse(text)
  } catch (error) {
    throw new AddressError(`not a Tessera address: ${JSON.stringify(text.slice(0, 80))} (${(error as Error).message})`)
  }
  if (cid.version !== 1 || cid.multihash.code !== SHA2_256 || cid.multihash.size !== 32) {
    throw new AddressError(`unsupported address ${text}: expected a CIDv1 over sha2-256`)
  }
  return cid
}

export function isAddress(text: unknown): text is Address {
  if (typeof text !== 'string') return false
  try {
    parseAddress(text)
    return true
  } catch {
    return false
  }
}

/** Throws `IntegrityError` unless `bytes` hash to `address`. Call before decoding anything a peer sent. */
export function verifyBytes(address: Address | string, bytes: Uint8Array): void {
  const cid = parseAddress(address)
  if (addressOfBytes(bytes, cid.code) !== cid.toString()) throw mismatch(address, bytes)
}

/** `verifyBytes` by the platform's native SHA-256, for large blobs. */
export async function verifyBytesAsync(address: Address | string, bytes: Uint8Array): Promise<void> {
  const cid = parseAddress(address)
  if ((await addressOfBytesAsync(bytes, cid.code)) !== cid.toString()) throw mismatch(address, bytes)
}

function mismatch(address: string, bytes: Uint8Array): IntegrityError {
  return new IntegrityError(`bytes do not match address ${address} (got ${bytes.length} bytes with another hash)`)
}

interface SubtleDigest {
  digest(algorithm: 'SHA-256', data: Uint8Array): Promise<ArrayBuffer>
}

/** Below this size the synchronous hash wins; above it WebCrypto does (docs/hashing.md). */
const ASYNC_HASH_THRESHOLD = 16 * 1024

/**
 * The same address as `addressOfBytes`, computed by the platform's native
 * SHA-256 for large inputs (about 8× faster than the JavaScript one at 1 MiB).
 */
export async function addressOfBytesAsync(bytes: Uint8Array, codec: number = CBOR_CODEC): Promise<Address> {
  const subtle = (globalThis as { crypto?: { subtle?: SubtleDigest } }).crypto?.subtle
  if (subtle === undefined || bytes.byteLength < ASYNC_HASH_THRESHOLD) return addressOfBytes(bytes, codec)
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes))
  return CID.createV1(codec, Digest.create(SHA2_256, digest)).toString() as Address
}
