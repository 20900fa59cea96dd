import { fromBase64Url, toBase64Url } from './base64url.ts'
import { ED25519_SIGNATURE_BYTES, ed25519Engine } from './ed25519-engine.ts'
import { publicKeyOfPeer } from './peer-key.ts'

export const SIGNATURE_TEXT_LENGTH = Math.ceil((ED25519_SIGNATURE_BYTES * 4) / 3)

/**
 * Verdicts already reached, by signer, signature and message. Readers meet the
 * same signed batch root once per record it covers; a verification costs
 * 0.2 ms natively and 2–3 ms in pure JS, a lookup nothing. Bounded: the oldest
 * half goes once it is full.
 */
const MAX_REMEMBERED = 16_384
const remembered = new Map<string, boolean>()

/** Whether `signature` (base64url) is `peer`'s signature of `message`. Never throws. */
export function verifyPeerSignature(peer: string, message: Uint8Array, signature: string): boolean {
  const memoKey = `${peer} ${signature} ${toBase64Url(message)}`
  const known = remembered.get(memoKey)
  if (known !== undefined) return known
  const verdict = verifyUncached(peer, message, signature)
  if (remembered.size >= MAX_REMEMBERED) for (const old of [...remembered.keys()].slice(0, MAX_REMEMBERED / 2)) remembered.delete(old)
  remembered.set(memoKey, verdict)
  return verdict
}

function verifyUncached(peer: string, message: Uint8Array, signature: string): boolean {
  const publicKey = publicKeyOfPeer(peer)
  if (publicKey === undefined || signature.length !== SIGNATURE_TEXT_LENGTH) return false
  const bytes = fromBase64Url(signature, ED25519_SIGNATURE_BYTES)
  if (bytes === undefined) return false
  return ed25519Engine().verify(publicKey, message, bytes)
}
