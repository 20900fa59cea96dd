import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { AddressError, IntegrityError } from './errors.ts'
import type { Address } from './ids.ts'
import { encodeCanonical } from './encoding/canonical.ts'
import { sha256, sha256IsNative } from './sha256.ts'
import { sha256Small } from './identity/sha256-small.ts'

/**
 * An address is a CIDv1 (base32) over SHA-256 of the canonical bytes, so the store
 * is readable by IPFS tools. docs/hashing.md records why SHA-256 and the numbers.
 */
export const SHA2_256 = 0x12
/** Multicodec of Tessera's canonical value bytes (deterministic CBOR). */
export const CBOR_CODEC = 0x51
/** Multicodec for bytes that are not a Tessera value (raw blobs). */
export const RAW_CODEC = 0x55

/**
 * Without a native hash (browsers), inputs up to this size go through `sha256Small`: task keys
 * and small values, where a general hasher's set-up per call cost more than its compression
 * (a tab addressed 20,000 of each in the dispatch bench; 80 bytes: 0.9 µs against 3.2).
 */
const SMALL_INPUT_BYTES = 512
const digestOf = sha256IsNative ? sha256 : (bytes: Uint8Array): Uint8Array => (bytes.length <= SMALL_INPUT_BYTES ? sha256Small(bytes) : sha256(bytes))

export function addressOfBytes(bytes: Uint8Array, codec: number = CBOR_CODEC): Address {
  // Our two codecs fit one varint byte: the CID's bytes are written here and spelled in base32
  // directly, which costs a third of building a CID object per address (a graph of 100,000
  // calls addresses 200,000 things). A test holds the two spellings equal.
  if (codec === CBOR_CODEC || codec === RAW_CODEC) return spellCidV1(codec, digestOf(bytes))
  return CID.createV1(codec, Digest.create(SHA2_256, digestOf(bytes))).toString() as Address
}

/**
 * How every address of our two codecs is spelled: base32 CIDv1, sha2-256, a
 * 32-byte digest (the eighth character holds only three digest bits and the
 * last one three plus zero padding). Checking the spelling costs a regular
 * expression; parsing a CID costs about 10 µs.
 */
export const ADDRESS_SPELLING = /^baf[ik]rei[a-h][a-z2-7]{50}[aeimquy4]$/

/** Whether `text` is spelled as an address of our two codecs (`ADDRESS_SPELLING`). */
export function isAddressSpelling(text: unknown): text is Address {
  return typeof text === 'string' && ADDRESS_SPELLING.test(text)
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567'

/**
 * The address of bytes whose SHA-256 digest was computed elsewhere (Node's
 * native hash, in bulk tools): the same spelling `addressOfBytes` gives them.
 */
export function addressOfDigest(digest: Uint8Array, codec: typeof CBOR_CODEC | typeof RAW_CODEC = CBOR_CODEC): Address {
  if (digest.length !== 32) throw new RangeError(`a SHA-256 digest has 32 bytes, not ${digest.length}`)
  return spellCidV1(codec, digest)
}

/** `b` + RFC 4648 base32 (lower case, no padding) of [version 1, codec, sha2-256, 32, ...digest]. */
function spellCidV1(codec: number, digest: Uint8Array): Address {
  const cid = new Uint8Array(4 + digest.length)
  cid[0] = 1
  cid[1] = codec
  cid[2] = SHA2_256
  cid[3] = digest.length
  cid.set(digest, 4)
  // Character codes first, then one string: built by `+=`, the address would be a rope of 59 pieces, and every
  // later read of its characters (hashing a task key, encoding a record) would pay for walking it.
  const codes = new Array<number>(59)
  codes[0] = 0x62 // 'b'
  let length = 1
  let buffer = 0
  let bits = 0
  for (const byte of cid) {
    buffer = (buffer << 8) | byte
    bits += 8
    while (bits >= 5) {
      bits -= 5
      codes[length++] = BASE32_CODES[(buffer >>> bits) & 31] as number
    }
    buffer &= (1 << bits) - 1
  }
  if (bits > 0) codes[length++] = BASE32_CODES[(buffer << (5 - bits)) & 31] as number
  codes.length = length
  return String.fromCharCode(...codes) as Address
}
const BASE32_CODES = Array.from(BASE32, (char) => char.charCodeAt(0))

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
  const { codec, spelled } = expectedAddress(address)
  if (addressOfBytes(bytes, codec) !== spelled) throw mismatch(address, bytes)
}

/** `verifyBytes` by the platform's native SHA-256, for large blobs. */
export async function verifyBytesAsync(address: Address | string, bytes: Uint8Array): Promise<void> {
  const { codec, spelled } = expectedAddress(address)
  if ((await addressOfBytesAsync(bytes, codec)) !== spelled) throw mismatch(address, bytes)
}

/**
 * The codec `address` names and its canonical spelling, which the bytes'
 * own address must equal. An address spelled as ours always are (one
 * regular expression) is canonical already and names its codec by its fourth
 * character; parsing it as a CID cost a tab about 20 µs per task it ran
 * (every task's inline arguments are checked), 2–3% of its main thread in the
 * dispatch bench. Any other spelling is parsed, as before.
 */
function expectedAddress(address: string): { codec: number; spelled: string } {
  if (ADDRESS_SPELLING.test(address)) return { codec: address[3] === 'k' ? RAW_CODEC : CBOR_CODEC, spelled: address }
  const cid = parseAddress(address)
  return { codec: cid.code, spelled: cid.toString() }
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
