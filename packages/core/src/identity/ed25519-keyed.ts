import { ed25519 } from '@noble/curves/ed25519.js'
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js'
import { sha512 } from '@noble/hashes/sha2.js'

/**
 * noble's Ed25519 with the work that depends only on the key done once per
 * key. A tab signs a batch root at every report flush and claim step, and
 * checks the roots of the same few peers hundreds of times a job. noble's
 * `sign` derives the public key again each time (a base-point
 * multiplication), and its `verify` decodes the signer's key and multiplies it
 * by the challenge without a table, which is most of a verification. Here a
 * signer's expanded key is kept, and a signer's point, once it has been
 * checked against `TABLE_AFTER` times, gets a precomputed window table.
 *
 * The equations are noble's, step for step: RFC 8032 §5.1.6 to sign, and to
 * verify the strict rules of §5.1.7 as noble applies them with
 * `zip215: false` (canonical S and point encodings, small-order keys
 * refused, the cofactored equation). The engine contract holds the result to
 * noble's signatures and verdicts (`ed25519EngineChecks`).
 */

const Point = ed25519.Point
type EdPoint = InstanceType<typeof Point>
const Fn = Point.Fn

/** Verifications of one key before its table is built: building costs about a dozen of them. */
const TABLE_AFTER = 16
const TABLE_WINDOW = 4
/** Keys remembered; tables are about 100 KB each, so at most `MAX_TABLES` of them. */
const MAX_KEYS = 512
const MAX_TABLES = 64

interface KnownKey {
  readonly point: EdPoint
  uses: number
  tabled: boolean
}
const verifiers = new Map<string, KnownKey | null>()
let tables = 0

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0
  for (const part of parts) length += part.length
  const out = new Uint8Array(length)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

const scalarOf = (bytes: Uint8Array): bigint => Fn.create(bytesToNumberLE(bytes))

/** The decoded point of `publicKey`, or null for a key noble refuses (non-canonical, not on the curve, small order). */
function verifierOf(publicKey: Uint8Array): KnownKey | null {
  const id = String.fromCharCode(...publicKey)
  let known = verifiers.get(id)
  if (known === undefined) {
    try {
      const point = Point.fromBytes(publicKey, false)
      known = point.isSmallOrder() ? null : { point, uses: 0, tabled: false }
    } catch {
      known = null
    }
    if (verifiers.size >= MAX_KEYS) forgetOldestHalf()
    verifiers.set(id, known)
  }
  if (known !== null && !known.tabled && ++known.uses >= TABLE_AFTER && tables < MAX_TABLES) {
    known.point.precompute(TABLE_WINDOW, false)
    known.tabled = true
    tables++
  }
  return known
}

function forgetOldestHalf(): void {
  let drop = verifiers.size / 2
  for (const [id, known] of verifiers) {
    if (drop-- <= 0) return
    if (known?.tabled === true) tables--
    verifiers.delete(id)
  }
}

/** Whether `signature` is `publicKey`'s signature of `message`, as noble's strict `verify` decides. Never throws. */
export function verifyWithKnownKey(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (publicKey.length !== 32 || signature.length !== 64) return false
    const key = verifierOf(publicKey)
    if (key === null) return false
    const r = signature.subarray(0, 32)
    const s = bytesToNumberLE(signature.subarray(32, 64))
    if (s >= Fn.ORDER) return false
    const R = Point.fromBytes(r, false)
    const SB = Point.BASE.multiplyUnsafe(s)
    const k = scalarOf(sha512(concat(r, publicKey, message)))
    // [8][S]B = [8]R + [8][k]A, as noble checks it.
    return R.add(key.point.multiplyUnsafe(k)).subtract(SB).clearCofactor().is0()
  } catch {
    return false
  }
}

interface ExpandedKey {
  readonly secret: Uint8Array
  readonly prefix: Uint8Array
  readonly scalar: bigint
  readonly publicKey: Uint8Array
}
/** By the caller's key array (an `Identity` passes the same one every time), checked against a copy of its bytes. */
const signers = new WeakMap<Uint8Array, ExpandedKey>()

function expandedKey(secretKey: Uint8Array): ExpandedKey {
  const known = signers.get(secretKey)
  if (known !== undefined && known.secret.every((byte, i) => secretKey[i] === byte)) return known
  const { prefix, scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(secretKey)
  const expanded = { secret: secretKey.slice(), prefix, scalar, publicKey: pointBytes }
  signers.set(secretKey, expanded)
  return expanded
}

/** noble's `sign(message, secretKey)`, byte for byte, without deriving the public key each time. */
export function signWithKnownKey(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new RangeError(`an Ed25519 secret key has 32 bytes, not ${secretKey.length}`)
  const key = expandedKey(secretKey)
  const r = scalarOf(sha512(concat(key.prefix, message)))
  const R = Point.BASE.multiply(r).toBytes()
  const k = scalarOf(sha512(concat(R, key.publicKey, message)))
  const s = Fn.create(r + k * key.scalar)
  return concat(R, numberToBytesLE(s, 32))
}
