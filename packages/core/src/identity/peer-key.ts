import { asPeerId, type PeerId } from '../ids.ts'
import { fromBase64Url, toBase64Url } from './base64url.ts'
import { ED25519_KEY_BYTES } from './ed25519-engine.ts'

/**
 * A peer id is its Ed25519 public key, spelled `k` + base64url (44
 * characters). Whoever reads a signed record can check it with nothing but the
 * record: the writer's id is the key. The signaling server binds a connection
 * to an id only after the peer signs its challenge with that key.
 */
const KEY_ID_PREFIX = 'k'
export const KEY_PEER_ID_LENGTH = 1 + Math.ceil((ED25519_KEY_BYTES * 4) / 3)

export function peerIdOfKey(publicKey: Uint8Array): PeerId {
  if (publicKey.byteLength !== ED25519_KEY_BYTES) throw new RangeError(`an Ed25519 public key has ${ED25519_KEY_BYTES} bytes, not ${publicKey.byteLength}`)
  return asPeerId(KEY_ID_PREFIX + toBase64Url(publicKey))
}

/** The public key a peer id spells, or undefined when the id is not a key id. */
export function publicKeyOfPeer(peer: string): Uint8Array | undefined {
  if (peer.length !== KEY_PEER_ID_LENGTH || !peer.startsWith(KEY_ID_PREFIX)) return undefined
  return fromBase64Url(peer.slice(1), ED25519_KEY_BYTES)
}

export function isKeyPeerId(peer: string): boolean {
  return publicKeyOfPeer(peer) !== undefined
}
