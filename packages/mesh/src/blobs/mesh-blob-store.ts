import { addHolder, copyBytes, SizeLimitError, type Address, type BlobStore, type GetOptions, type PeerId, type PutOptions, type SwarmDoc } from '@tessera/core'
import type { BlobExchange } from './blob-exchange.ts'

export interface MeshBlobStoreOptions {
  /** This peer's own blobs (IndexedDB, a directory, or memory). */
  readonly local: BlobStore
  readonly exchange: BlobExchange
  readonly swarm: SwarmDoc
  readonly self: PeerId
  /** Peers linked right now: holders among them are asked first. */
  readonly linkedPeers: () => readonly PeerId[]
  /** Asks the mesh for a direct link to a holder that is not a neighbour. */
  readonly connectTo?: (peer: PeerId) => void
  readonly maxBlobBytes: number
}

const LINK_WAIT_MS = 5_000
/**
 * A fetched copy is announced (one more holder to ask) with whatever else was
 * fetched within this window, in one transaction: one document update, and one
 * send per link, for a batch of blobs instead of each. The first holder of a
 * blob (a `put`) is written at once: without it nobody could fetch the blob.
 */
const ANNOUNCE_BATCH_MS = 50

/**
 * The swarm's blob store as one peer sees it: its own blobs, plus any blob a
 * peer holds, fetched on demand, verified, kept, and announced, so that the
 * next peer has one more holder to ask.
 */
export class MeshBlobStore implements BlobStore {
  readonly #inFlight = new Map<Address, Promise<Uint8Array | undefined>>()
  readonly #unannounced = new Set<Address>()
  #announceTimer: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly options: MeshBlobStoreOptions) {}

  /** As the local store: what a peer sends is verified by the exchange before it is kept. */
  get verifiesReads(): boolean {
    return this.options.local.verifiesReads === true
  }

  async put(address: Address, bytes: Uint8Array, options: PutOptions = {}): Promise<void> {
    if (bytes.byteLength > this.options.maxBlobBytes) {
      throw new SizeLimitError(`blob ${address} is ${bytes.byteLength} bytes, over the ${this.options.maxBlobBytes}-byte blob cap`)
    }
    await this.options.local.put(address, bytes, options)
    addHolder(this.options.swarm, address, this.options.self, Date.now())
  }

  /** Keeps bytes on this peer only: a cache tree node, which no holder record lists. */
  async keep(address: Address, bytes: Uint8Array): Promise<void> {
    await this.options.local.put(address, bytes)
  }

  /** Bytes the swarm lists nowhere (a cache tree node): `preferred` peers first, then every linked one; kept here. */
  async fetchUnlisted(address: Address, preferred: readonly PeerId[]): Promise<Uint8Array | undefined> {
    const linked = this.options.linkedPeers()
    const candidates = [...preferred.filter((p) => linked.includes(p)), ...linked.filter((p) => !preferred.includes(p))].filter((p) => p !== this.options.self)
    if (candidates.length === 0) return undefined
    let bytes: Uint8Array
    try {
      bytes = await this.options.exchange.fetch(address, candidates)
    } catch {
      return undefined
    }
    await this.options.local.put(address, bytes, { verified: true })
    return bytes
  }

  async has(address: Address): Promise<boolean> {
    return this.options.local.has(address)
  }

  /**
   * Local bytes, or a peer's; `undefined` only when the swarm does not list the
   * blob at all. Fetched bytes are kept as they arrived (no copy), and shared
   * by every read in flight, so only `readOnly` readers get that very array.
   */
  async get(address: Address, options: GetOptions = {}): Promise<Uint8Array | undefined> {
    const local = await this.options.local.get(address, options)
    if (local !== undefined) return local
    let pending = this.#inFlight.get(address)
    if (pending === undefined) {
      pending = this.#fetch(address).finally(() => this.#inFlight.delete(address))
      this.#inFlight.set(address, pending)
    }
    const fetched = await pending
    return fetched === undefined || options.readOnly === true ? fetched : copyBytes(fetched)
  }

  async #fetch(address: Address): Promise<Uint8Array | undefined> {
    const { swarm, exchange, self } = this.options
    const listed = swarm.value(address)
    const holders = swarm.holdersOf(address).filter((p) => p !== self)
    if (listed === undefined && holders.length === 0) return undefined
    if (holders.length > 0 && !holders.some((p) => this.options.linkedPeers().includes(p))) await this.#linkToHolder(holders)
    const linked = new Set(this.options.linkedPeers())
    const linkedHolders = holders.filter((p) => linked.has(p))
    // Holders first; then any neighbour, which may hold it without having said so yet.
    const candidates = [...linkedHolders, ...[...linked].filter((p) => !linkedHolders.includes(p))]
    const bytes = await exchange.fetch(address, candidates, listed === undefined ? {} : { expectedSize: listed.size })
    if (bytes.byteLength > this.options.maxBlobBytes) {
      throw new SizeLimitError(`blob ${address} is ${bytes.byteLength} bytes, over the ${this.options.maxBlobBytes}-byte blob cap`)
    }
    // The exchange has just checked these bytes against the address (no second hash), and they are
    // a view of a reply reassembled for this fetch alone, so the store may keep them as they are.
    await this.options.local.put(address, bytes, { verified: true, handOver: true })
    this.#announce(address)
    return bytes
  }

  #announce(address: Address): void {
    this.#unannounced.add(address)
    this.#announceTimer ??= setTimeout(() => {
      this.#announceTimer = undefined
      const { swarm, self } = this.options
      const now = Date.now()
      swarm.transact(() => {
        for (const fetched of this.#unannounced) addHolder(swarm, fetched, self, now)
      })
      this.#unannounced.clear()
    }, ANNOUNCE_BATCH_MS)
  }

  // In a partial mesh the holders may all be out of reach of our links: ask
  // for a direct link and give it a few seconds to come up.
  async #linkToHolder(holders: readonly PeerId[]): Promise<void> {
    const { connectTo, linkedPeers } = this.options
    if (connectTo === undefined) return
    for (const holder of holders.slice(0, 3)) connectTo(holder)
    const deadline = Date.now() + LINK_WAIT_MS
    while (Date.now() < deadline && !holders.some((p) => linkedPeers().includes(p))) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
