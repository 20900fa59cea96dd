import type { PeerId } from '../ids.ts'
import { HubTransport, type TransportHub } from './hub-transport.ts'

export type MemoryTransport = HubTransport

/**
 * A loss-free in-process network: every transport joined to it is connected to
 * every other, and messages arrive asynchronously in the order sent. For fast
 * tests; `SimulatedNetwork` adds seeded delay, loss and partitions.
 */
export class MemoryNetwork implements TransportHub {
  readonly #members = new Map<PeerId, HubTransport>()

  join(self: PeerId): MemoryTransport {
    if (this.#members.has(self)) throw new Error(`peer ${self} already joined this network`)
    const transport = new HubTransport(self, this)
    for (const other of this.#members.values()) {
      other.emitPeer({ peer: self, connected: true })
      transport.emitPeer({ peer: other.self, connected: true })
    }
    this.#members.set(self, transport)
    return transport
  }

  reachableFrom(self: PeerId): PeerId[] {
    return [...this.#members.keys()].filter((peer) => peer !== self)
  }

  deliver(from: PeerId, to: PeerId, message: Uint8Array): boolean {
    const target = this.#members.get(to)
    if (target === undefined || to === from) return false
    queueMicrotask(() => target.emitMessage(from, message))
    return true
  }

  leave(self: PeerId): void {
    if (!this.#members.delete(self)) return
    for (const other of this.#members.values()) other.emitPeer({ peer: self, connected: false })
  }
}
