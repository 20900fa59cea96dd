import { ed25519 } from '@noble/curves/ed25519.js'
import { signWithKnownKey, verifyWithKnownKey } from './ed25519-keyed.ts'

/**
 * The Ed25519 operations identities need, all synchronous: records are signed
 * inside document transactions and checked inside synchronous readers (see
 * `swarm/records.ts`), where WebCrypto's promises cannot be awaited. Each
 * environment installs the fastest engine it has (`useEd25519Engine`): Node
 * hosts use `node:crypto` (native), and everyone else this pure-JS default.
 * Signing is per batch of records, so even the slow engine is paid rarely.
 */
export interface Ed25519Engine {
  readonly name: string
  /** 32 random bytes: a secret key (an RFC 8032 seed). */
  randomSecretKey(): Uint8Array
  publicKeyOf(secretKey: Uint8Array): Uint8Array
  sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array
  /** False (never a throw) for any malformed key or signature. */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean
}

export const ED25519_KEY_BYTES = 32
export const ED25519_SIGNATURE_BYTES = 64

export const nobleEd25519: Ed25519Engine = {
  name: 'noble',
  randomSecretKey: () => ed25519.utils.randomSecretKey(),
  publicKeyOf: (secretKey) => ed25519.getPublicKey(secretKey),
  // noble's own sign and strict verify (zip215: false, RFC 8032's rules as node:crypto applies them),
  // with each key's fixed work done once (`ed25519-keyed.ts`).
  sign: signWithKnownKey,
  verify: verifyWithKnownKey,
}

let engine: Ed25519Engine = nobleEd25519

export function ed25519Engine(): Ed25519Engine {
  return engine
}

/** Installs a faster engine for this process; it must agree with noble on every input (a contract test checks). */
export function useEd25519Engine(next: Ed25519Engine): void {
  engine = next
}
