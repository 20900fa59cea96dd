import type { PeerId } from '../ids.ts'
import type { PeerChange, Unsubscribe } from '../interfaces/transport.ts'

/** The handler sets behind `Transport.onMessage` and `onPeerChange`, which every adapter needs alike. */
export class TransportListeners {
  readonly #messageHandlers = new Set<(from: PeerId, message: Uint8Array) => void>()
  readonly #peerHandlers = new Set<(change: PeerChange) => void>()

  onMessage(handler: (from: PeerId, message: Uint8Array) => void): Unsubscribe {
    this.#messageHandlers.add(handler)
    return () => this.#messageHandlers.delete(handler)
  }

  onPeerChange(handler: (change: PeerChange) => void): Unsubscribe {
    this.#peerHandlers.add(handler)
    return () => this.#peerHandlers.delete(handler)
  }

  emitMessage(from: PeerId, message: Uint8Array): void {
    for (const handler of this.#messageHandlers) handler(from, message)
  }

  emitPeer(change: PeerChange): void {
    for (const handler of this.#peerHandlers) handler(change)
  }
}
