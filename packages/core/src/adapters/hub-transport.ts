import { copyBytes } from '../bytes.ts'
import { TransportClosedError } from '../errors.ts'
import type { PeerId } from '../ids.ts'
import type { PeerChange, Transport, Unsubscribe } from '../interfaces/transport.ts'
import { TransportListeners } from './transport-listeners.ts'

/** An in-process network that transports hang off: the in-memory one, or the simulator. */
export interface TransportHub {
  /** Peers that `self` can reach right now. */
  reachableFrom(self: PeerId): PeerId[]
  /** Hands over the network's own copy of a message; false if `to` is not reachable. */
  deliver(from: PeerId, to: PeerId, message: Uint8Array): boolean
  /** `self` closed its transport: the hub tells the others. */
  leave(self: PeerId): void
}

/** A transport on an in-process hub. The hub decides when, and whether, messages arrive. */
export class HubTransport implements Transport {
  readonly #listeners = new TransportListeners()
  #closed = false

  constructor(
    readonly self: PeerId,
    private readonly hub: TransportHub,
  ) {}

  peers(): readonly PeerId[] {
    return this.#closed ? [] : this.hub.reachableFrom(this.self)
  }

  // A network copies: the sender may reuse its buffer as soon as send returns.
  // The receivers of a broadcast share one copy, and must not write to it.
  send(to: PeerId, message: Uint8Array): boolean {
    this.#assertOpen()
    return this.hub.deliver(this.self, to, copyBytes(message))
  }

  broadcast(message: Uint8Array): void {
    this.#assertOpen()
    const copy = copyBytes(message)
    for (const peer of this.peers()) this.hub.deliver(this.self, peer, copy)
  }

  onMessage(handler: (from: PeerId, message: Uint8Array) => void): Unsubscribe {
    return this.#listeners.onMessage(handler)
  }

  onPeerChange(handler: (change: PeerChange) => void): Unsubscribe {
    return this.#listeners.onPeerChange(handler)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.hub.leave(this.self)
    this.#closed = true
  }

  /** @internal The peer died: it stops, and nobody is told. */
  markDead(): void {
    this.#closed = true
  }

  /** @internal */
  emitMessage(from: PeerId, message: Uint8Array): void {
    if (!this.#closed) this.#listeners.emitMessage(from, message)
  }

  /** @internal */
  emitPeer(change: PeerChange): void {
    if (!this.#closed) this.#listeners.emitPeer(change)
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportClosedError(`transport of ${this.self} is closed`)
  }
}
