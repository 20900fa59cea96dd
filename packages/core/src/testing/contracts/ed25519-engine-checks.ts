import { ed25519 } from '@noble/curves/ed25519.js'
import type { Ed25519Engine } from '../../identity/ed25519-engine.ts'
import { assert, assertBytesEqual } from './check-assert.ts'
import type { ContractCheck } from './contract.ts'

/** The reference: noble's own strict verify and its sign, untouched by any engine (core's default keeps per-key work, `ed25519-keyed.ts`). */
const referenceVerify = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false })
  } catch {
    return false
  }
}

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16))

/** RFC 8032 section 7.1, tests 1 and 2. */
const VECTORS = [
  {
    secretKey: hex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60'),
    publicKey: hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'),
    message: new Uint8Array(0),
    signature: hex('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
  },
  {
    secretKey: hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb'),
    publicKey: hex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c'),
    message: hex('72'),
    signature: hex('92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00'),
  },
]

/**
 * What every Ed25519 engine must do, so that a record one environment signs
 * is accepted or refused alike by every other: the RFC's answers, the same
 * verdicts as the pure-JS engine on tampered input, and no throw on garbage.
 */
export const ed25519EngineChecks: readonly ContractCheck<Ed25519Engine>[] = [
  {
    name: 'derives the RFC 8032 public keys and signatures',
    run: async (engine) => {
      for (const [i, vector] of VECTORS.entries()) {
        assertBytesEqual(engine.publicKeyOf(vector.secretKey), vector.publicKey, `public key ${i + 1}`)
        assertBytesEqual(engine.sign(vector.secretKey, vector.message), vector.signature, `signature ${i + 1}`)
        assert(engine.verify(vector.publicKey, vector.message, vector.signature), `vector ${i + 1} verifies`)
      }
    },
  },
  {
    name: 'signs with random keys what it and the pure-JS engine verify',
    run: async (engine) => {
      for (let i = 0; i < 8; i++) {
        const secretKey = engine.randomSecretKey()
        assert(secretKey.byteLength === 32, 'a secret key has 32 bytes')
        const publicKey = engine.publicKeyOf(secretKey)
        // Random bytes from the engine itself: core code may not assume a global `crypto`.
        const message = new Uint8Array([...engine.randomSecretKey(), ...engine.randomSecretKey()].slice(0, 1 + i * 7))
        const signature = engine.sign(secretKey, message)
        assert(engine.verify(publicKey, message, signature), 'own signature verifies')
        assert(referenceVerify(publicKey, message, signature), 'noble accepts it too')
        assertBytesEqual(signature, ed25519.sign(message, secretKey), `signature ${i} is noble's, byte for byte`)
      }
    },
  },
  {
    name: 'refuses tampered messages, signatures and keys, as the pure-JS engine does',
    run: async (engine) => {
      const vector = VECTORS[1]!
      const flip = (bytes: Uint8Array, at: number): Uint8Array => {
        const copy = new Uint8Array(bytes)
        copy[at] = copy[at]! ^ 1
        return copy
      }
      const cases: Array<[string, Uint8Array, Uint8Array, Uint8Array]> = [
        ['message', vector.publicKey, flip(vector.message, 0), vector.signature],
        ['signature R', vector.publicKey, vector.message, flip(vector.signature, 3)],
        ['signature S', vector.publicKey, vector.message, flip(vector.signature, 40)],
        ['key', flip(vector.publicKey, 5), vector.message, vector.signature],
        // S + L (non-canonical): RFC 8032 requires S < L.
        ['non-canonical S', vector.publicKey, vector.message, withNonCanonicalS(vector.signature)],
      ]
      for (const [what, key, message, signature] of cases) {
        assert(!engine.verify(key, message, signature), `tampered ${what} refused`)
        assert(!referenceVerify(key, message, signature), `tampered ${what} refused by noble`)
      }
    },
  },
  {
    name: 'keeps noble\'s verdicts for a key checked many times, good and tampered signatures in turn',
    run: async (engine) => {
      // Past a few dozen checks an engine may keep per-key work (a window table): the verdicts must not move.
      const secretKey = engine.randomSecretKey()
      const publicKey = engine.publicKeyOf(secretKey)
      for (let i = 0; i < 48; i++) {
        const message = new Uint8Array([i, i >> 8, 7, 1, 2])
        const signature = engine.sign(secretKey, message)
        const tampered = new Uint8Array(signature)
        tampered[i % 64] = tampered[i % 64]! ^ (1 << (i % 8))
        assert(engine.verify(publicKey, message, signature), `signature ${i} verifies`)
        assert(!engine.verify(publicKey, message, tampered), `tampered signature ${i} refused`)
        assert(!engine.verify(publicKey, new Uint8Array([i, i >> 8, 7, 1, 3]), signature), `signature ${i} refused on another message`)
      }
      // A small-order key (the identity point's encoding) with any signature: noble refuses it in strict mode.
      const identityPoint = new Uint8Array(32)
      identityPoint[0] = 1
      const signature = engine.sign(secretKey, new Uint8Array([1]))
      assert(!engine.verify(identityPoint, new Uint8Array([1]), signature) && !referenceVerify(identityPoint, new Uint8Array([1]), signature), 'small-order key refused')
    },
  },
  {
    name: 'answers false, never throws, for malformed keys and signatures',
    run: async (engine) => {
      const vector = VECTORS[0]!
      const malformed: Array<[Uint8Array, Uint8Array]> = [
        [new Uint8Array(0), vector.signature],
        [new Uint8Array(31), vector.signature],
        [new Uint8Array(33), vector.signature],
        [vector.publicKey, new Uint8Array(0)],
        [vector.publicKey, new Uint8Array(63)],
        [vector.publicKey, new Uint8Array(65)],
        [new Uint8Array(32).fill(0xff), vector.signature],
      ]
      for (const [key, signature] of malformed) {
        let verdict: boolean
        try {
          verdict = engine.verify(key, vector.message, signature)
        } catch (error) {
          throw new Error(`verify threw on a ${key.byteLength}-byte key and ${signature.byteLength}-byte signature: ${String(error)}`)
        }
        assert(!verdict, `a ${key.byteLength}-byte key with a ${signature.byteLength}-byte signature is refused`)
      }
    },
  },
]

// The group order L, little-endian; adding it to S gives the same point but a second spelling.
const L = hex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010')
function withNonCanonicalS(signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signature)
  let carry = 0
  for (let i = 0; i < 32; i++) {
    const sum = out[32 + i]! + L[i]! + carry
    out[32 + i] = sum & 0xff
    carry = sum >> 8
  }
  return out
}
