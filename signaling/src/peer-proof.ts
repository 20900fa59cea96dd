/**
 * Which peer id a connection has proven it owns. A peer id is an Ed25519
 * public key (`@tessera/core`'s identities); the server binds one to a
 * connection only when the subscribe carries the key's signature of this
 * connection's challenge, so nobody can receive frames addressed to another
 * peer by naming its id.
 */
import { isKeyPeerId, publicKeyOfPeer, toBase64Url, verifyPeerSignature } from '@tessera/core'
import { CHALLENGE_BYTES, peerBindingMessage } from './protocol.ts'

/**
 * Failed proofs one connection may send before the server stops verifying
 * for it. An honest client never fails one; a verification costs 2–3 ms with
 * the pure-JS engine, so this keeps a hostile client from spending the
 * server's CPU at its frame rate.
 */
export const MAX_FAILED_PROOFS = 3

export class PeerProof {
  /** Sent in this connection's `welcome`; new random bytes for every connection. */
  readonly challenge = toBase64Url(crypto.getRandomValues(new Uint8Array(CHALLENGE_BYTES)))
  #peer: string | undefined
  #proof: string | undefined
  #failures = 0

  /** The id this connection proved, once it has. */
  get peer(): string | undefined {
    return this.#peer
  }

  /** Undefined when `proof` proves `peer` on this connection; otherwise why not, for the refusal. */
  check(peer: string, proof: string | undefined): string | undefined {
    const id = quote(peer)
    if (publicKeyOfPeer(peer) === undefined) return `peer id ${id} is not a key id ("k" + base64url of an Ed25519 public key): only key ids can be bound`
    if (this.#peer !== undefined && this.#peer !== peer) return `this connection is bound to peer ${quote(this.#peer)}: one connection binds one peer id`
    if (proof === undefined) return `binding peer ${id} needs "proof": the peer key's signature of this connection's challenge`
    if (this.#peer === peer && this.#proof === proof) return undefined
    if (this.#failures >= MAX_FAILED_PROOFS) return `${MAX_FAILED_PROOFS} proofs failed on this connection: reconnect for a new challenge`
    if (!verifyPeerSignature(peer, peerBindingMessage(this.challenge), proof)) {
      this.#failures += 1
      return `"proof" is not peer ${id}'s signature of this connection's challenge`
    }
    this.#peer = peer
    this.#proof = proof
    return undefined
  }

  /**
   * Whether a y-webrtc announce may bind `peer`: an id that needs no proof
   * (y-webrtc's random ones), or the id this connection proved; never a key id
   * it did not prove.
   */
  mayAnnounce(peer: string): boolean {
    return this.peer === undefined ? !isKeyPeerId(peer) : peer === this.peer
  }
}

/** Echoes at most a short, quoted prefix of client text back in reasons. */
function quote(text: string): string {
  return JSON.stringify(text.length > 48 ? `${text.slice(0, 48)}…` : text)
}
