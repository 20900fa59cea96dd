import type { PeerId } from '../../ids.ts'
import type { PresenceInfo, PresencePort, PresenceRecord } from '../../peer/peer-port.ts'
import type { SimulatedNetwork } from './simulated-network.ts'

/** Every simulated peer's own record, per network: presence without gossip, seen across live links only. */
const directories = new WeakMap<SimulatedNetwork, Map<PeerId, PresenceRecord>>()

/** Presence in the simulator: what a peer would learn by gossip, read straight from the peers it can reach. */
export class SimPresence implements PresencePort {
  readonly #directory: Map<PeerId, PresenceRecord>

  constructor(
    private readonly self: PeerId,
    private readonly network: SimulatedNetwork,
    info: PresenceInfo,
  ) {
    let directory = directories.get(network)
    if (directory === undefined) directories.set(network, (directory = new Map()))
    this.#directory = directory
    directory.set(self, { ...info, peer: self, seq: 0 })
  }

  list(): PresenceRecord[] {
    const own = this.#directory.get(this.self) as PresenceRecord
    const others = this.network.reachableFrom(this.self).flatMap((peer) => {
      const record = this.#directory.get(peer)
      return record === undefined ? [] : [record]
    })
    return [own, ...others]
  }

  update(change: Partial<PresenceInfo>): void {
    const own = this.#directory.get(this.self) as PresenceRecord
    this.#directory.set(this.self, { ...own, ...change, seq: own.seq + 1 })
  }

  /** The peer is gone: others stop seeing it. */
  leave(): void {
    this.#directory.delete(this.self)
  }
}
