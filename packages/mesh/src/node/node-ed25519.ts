import { createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto'
import { ED25519_KEY_BYTES, ED25519_SIGNATURE_BYTES, type Ed25519Engine } from '@tessera/core'

/**
 * Ed25519 on `node:crypto` (OpenSSL): about 20× faster than the pure-JS
 * default, and synchronous like it (`crypto.sign(null, …)`), so records can be
 * signed and checked where WebCrypto's promises cannot be awaited. OpenSSL
 * applies RFC 8032's strict rules, the same verdicts as core's noble engine
 * with `zip215: false`; `ed25519EngineChecks` holds both to that.
 */

// OpenSSL takes keys as KeyObjects, built from DER: these fixed prefixes
// (RFC 8410) followed by the 32 raw bytes.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex')
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/**
 * Building a KeyObject costs about as much as a verification (≈ 90 µs), and
 * the same few signers and the peer's own key come back again and again: keep
 * the most recent ones. Bounded, since signers are whoever writes records.
 */
const MAX_CACHED_KEYS = 512

class KeyCache {
  readonly #keys = new Map<string, KeyObject>()

  get(bytes: Uint8Array, build: () => KeyObject): KeyObject {
    const id = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
    const known = this.#keys.get(id)
    if (known !== undefined) {
      // Move to the back: the map's order is its recency.
      this.#keys.delete(id)
      this.#keys.set(id, known)
      return known
    }
    const key = build()
    if (this.#keys.size >= MAX_CACHED_KEYS) this.#keys.delete(this.#keys.keys().next().value as string)
    this.#keys.set(id, key)
    return key
  }
}

const privateKeys = new KeyCache()
const publicKeys = new KeyCache()

function privateKeyOf(secretKey: Uint8Array): KeyObject {
  if (secretKey.byteLength !== ED25519_KEY_BYTES) throw new RangeError(`an Ed25519 secret key has ${ED25519_KEY_BYTES} bytes, not ${secretKey.byteLength}`)
  return privateKeys.get(secretKey, () => createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, secretKey]), format: 'der', type: 'pkcs8' }))
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  return publicKeys.get(publicKey, () => createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' }))
}

const asBytes = (buffer: Buffer): Uint8Array => new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength)

export const nodeEd25519: Ed25519Engine = {
  name: 'node:crypto',
  randomSecretKey: () => asBytes(randomBytes(ED25519_KEY_BYTES)),
  publicKeyOf(secretKey) {
    const spki = createPublicKey(privateKeyOf(secretKey)).export({ format: 'der', type: 'spki' })
    return new Uint8Array(spki.subarray(SPKI_PREFIX.byteLength))
  },
  sign: (secretKey, message) => asBytes(sign(null, message, privateKeyOf(secretKey))),
  verify(publicKey, message, signature) {
    // Checked here rather than left to OpenSSL, which would parse other lengths as other key types or throw.
    if (publicKey.byteLength !== ED25519_KEY_BYTES || signature.byteLength !== ED25519_SIGNATURE_BYTES) return false
    try {
      return verify(null, message, publicKeyObject(publicKey), signature)
    } catch {
      return false
    }
  },
}
