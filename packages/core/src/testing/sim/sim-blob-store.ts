import { MemoryBlobStore } from '../../adapters/memory-blob-store.ts'
import type { Address, PeerId } from '../../ids.ts'
import type { BlobStore, GetOptions, PutOptions } from '../../interfaces/blob-store.ts'
import type { SimulatedNetwork } from './simulated-network.ts'

/** The blob stores of a simulation's live peers, by peer: who can serve an unlisted blob. */
const stores = new WeakMap<SimulatedNetwork, Map<PeerId, SimBlobStore>>()

/**
 * A simulated peer's blobs: its own in memory; a blob it lacks is asked of the
 * other live peers as the mesh would (unlisted ones, cache tree nodes,
 * `preferred` first); what arrives is verified (`MemoryBlobStore.put`) and
 * kept, and `onKept` is told, as the mesh lists a holder. Counts fetches.
 */
export class SimBlobStore implements BlobStore {
  readonly #local = new MemoryBlobStore()
  /** Its own blobs were checked on `put`, and what it fetches on arrival. */
  readonly verifiesReads = true
  /** Blobs this peer fetched from others, and their bytes. */
  fetched = 0
  fetchedBytes = 0

  constructor(
    private readonly network: SimulatedNetwork,
    private readonly self: PeerId,
    /** A blob is kept here (put or fetched): the peer lists itself as a holder. */
    private readonly onKept?: (address: Address) => void,
  ) {
    let peers = stores.get(network)
    if (peers === undefined) stores.set(network, (peers = new Map()))
    peers.set(self, this)
  }

  async put(address: Address, bytes: Uint8Array, options?: PutOptions): Promise<void> {
    await this.#local.put(address, bytes, options)
    this.onKept?.(address)
  }

  /** Kept without a holder record, as the mesh keeps cache tree nodes. */
  keep(address: Address, bytes: Uint8Array): Promise<void> {
    return this.#local.put(address, bytes)
  }

  async get(address: Address, options?: GetOptions): Promise<Uint8Array | undefined> {
    const local = await this.#local.get(address, options)
    if (local !== undefined) return local
    const fetched = await this.fetchUnlisted(address, [])
    if (fetched !== undefined) this.onKept?.(address)
    return fetched
  }

  has(address: Address): Promise<boolean> {
    return this.#local.has(address)
  }

  async fetchUnlisted(address: Address, preferred: readonly PeerId[]): Promise<Uint8Array | undefined> {
    const peers = stores.get(this.network) ?? new Map<PeerId, SimBlobStore>()
    const order = [...preferred.filter((p) => peers.has(p)), ...[...peers.keys()].filter((p) => !preferred.includes(p))]
    for (const peer of order) {
      if (peer === this.self) continue
      const bytes = await peers.get(peer)!.#local.get(address)
      if (bytes === undefined) continue
      try {
        await this.#local.put(address, bytes)
      } catch {
        continue
      }
      this.fetched++
      this.fetchedBytes += bytes.byteLength
      return bytes
    }
    return undefined
  }

  /** Stops serving others (the peer left or died). */
  leave(): void {
    stores.get(this.network)?.delete(this.self)
  }
}
