import type { PeerId } from '../ids.ts'

export type Unsubscribe = () => void

export interface PeerChange {
  readonly peer: PeerId
  readonly connected: boolean
}

/**
 * Peer messaging. Delivery is best effort: messages may be delayed, reordered or
 * lost, and a peer may vanish without a word, so everything above this layer must
 * tolerate that (Yjs sync does). Adapters frame and chunk as their medium needs;
 * callers may send messages of any size.
 */
export interface Transport {
  readonly self: PeerId
  /** Peers this transport is connected to right now. */
  peers(): readonly PeerId[]
  /** Returns false when `to` is not connected; the message is then dropped. */
  send(to: PeerId, message: Uint8Array): boolean
  /**
   * `send` of a message made of `parts` (a header and a blob), which the
   * caller hands over and never touches again, so that a transport that can
   * frame them where they are need not copy or join them. Optional: callers
   * fall back to `send` of the joined parts.
   */
  sendOwned?(to: PeerId, parts: readonly Uint8Array[]): boolean
  /** Sends to every connected peer. */
  broadcast(message: Uint8Array): void
  onMessage(handler: (from: PeerId, message: Uint8Array) => void): Unsubscribe
  onPeerChange(handler: (change: PeerChange) => void): Unsubscribe
  /** Disconnects from every peer. Later sends throw `TransportClosedError`. */
  close(): Promise<void>
}
