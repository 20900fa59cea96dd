import { sha256 } from '@noble/hashes/sha2.js'
import type { PeerId } from '../ids.ts'
import { toBase64Url } from './base64url.ts'
import { ED25519_KEY_BYTES, ed25519Engine } from './ed25519-engine.ts'
import { peerIdOfKey } from './peer-key.ts'

/**
 * A peer's Ed25519 key pair. Its id is the public key (`peer-key.ts`); it signs
 * the records it writes and the signaling server's challenge. The secret key
 * stays in this object and in the peer's own storage (`.tessera/identity.json`
 * on Node, IndexedDB in browsers), never on the wire.
 */
export class Identity {
  readonly peer: PeerId
  readonly publicKey: Uint8Array
  readonly #secretKey: Uint8Array

  constructor(secretKey: Uint8Array) {
    if (secretKey.byteLength !== ED25519_KEY_BYTES) throw new RangeError(`an Ed25519 secret key has ${ED25519_KEY_BYTES} bytes, not ${secretKey.byteLength}`)
    this.#secretKey = new Uint8Array(secretKey)
    this.publicKey = ed25519Engine().publicKeyOf(this.#secretKey)
    this.peer = peerIdOfKey(this.publicKey)
  }

  /** A new random identity. */
  static generate(): Identity {
    return new Identity(ed25519Engine().randomSecretKey())
  }

  /** The same identity for the same name on every run: for simulations and tests, never for real peers. */
  static fromSeed(seed: string): Identity {
    return new Identity(sha256(new TextEncoder().encode(`tessera/test-identity@1 ${seed}`)))
  }

  /** The signature of `message`, in base64url (as records carry it). */
  sign(message: Uint8Array): string {
    return toBase64Url(ed25519Engine().sign(this.#secretKey, message))
  }

  /** The secret key, for the peer's own storage only. */
  exportSecretKey(): Uint8Array {
    return new Uint8Array(this.#secretKey)
  }

  toJSON(): { peer: PeerId } {
    return { peer: this.peer }
  }
}
