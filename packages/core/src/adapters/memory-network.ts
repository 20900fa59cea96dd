import { TransportClosedError } from '../errors.ts'
import { copyBytes } from '../bytes.ts'
import type { PeerId } from '../ids.ts'
import type { PeerChange, Transport, Unsubscribe } from '../interfaces/transport.ts'

/**
 * A loss-free in-process network: every transport joined to it is connected to
 * every other, and messages arrive asynchronously in the order sent. For fast
 * tests; `SimulatedNetwork` adds seeded delay, loss and partitions.
 */
export class MemoryNetwork {
  readonly #members = new Map<PeerId, MemoryTransport>()

  join(self: PeerId): MemoryTransport {
    if (this.#members.has(self)) throw new Error(`peer ${self} already joined this network`)
    const transport = new MemoryTransport(self, this)
    for (const other of this.#members.values()) {
      other.emitPeer({ peer: self, connected: true })
      transport.emitPeer({ peer: other.self, connected: true })
    }
    this.#members.set(self, transport)
    return transport
  }

  /** @internal */
  deliver(from: PeerId, to: PeerId, message: Uint8Array): boolean {
    const target = this.#members.get(to)
    if (target === undefined || to === from) return false
    const copy = copyBytes(message)
    queueMicrotask(() => target.emitMessage(from, copy))
    return true
  }

  /** @internal */
  members(): PeerId[] {
    return [...this.#members.keys()]
  }

  /** @internal */
  leave(self: PeerId): void {
    if (!this.#members.delete(self)) return
    for (const other of this.#members.values()) other.emitPeer({ peer: self, connected: false })
  }
}

export class MemoryTransport implements Transport {
  readonly #messageHandlers = new Set<(from: PeerId, message: Uint8Array) => void>()
  readonly #peerHandlers = new Set<(change: PeerChange) => void>()
  #closed = false

  constructor(
    readonly self: PeerId,
    private readonly network: MemoryNetwork,
  ) {}

  peers(): readonly PeerId[] {
    return this.#closed ? [] : this.network.members().filter((p) => p !== this.self)
  }

  send(to: PeerId, message: Uint8Array): boolean {
    if (this.#closed) throw new TransportClosedError(`transport of ${this.self} is closed`)
    return this.network.deliver(this.self, to, message)
  }

  broadcast(message: Uint8Array): void {
    for (const peer of this.peers()) this.send(peer, message)
  }

  onMessage(handler: (from: PeerId, message: Uint8Array) => void): Unsubscribe {
    this.#messageHandlers.add(handler)
    return () => this.#messageHandlers.delete(handler)
  }

  onPeerChange(handler: (change: PeerChange) => void): Unsubscribe {
    this.#peerHandlers.add(handler)
    return () => this.#peerHandlers.delete(handler)
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    this.network.leave(this.self)
  }

  /** @internal */
  emitMessage(from: PeerId, message: Uint8Array): void {
    if (this.#closed) return
    for (const handler of this.#messageHandlers) handler(from, message)
  }

  /** @internal */
  emitPeer(change: PeerChange): void {
    if (this.#closed) return
    for (const handler of this.#peerHandlers) handler(change)
  }
}
