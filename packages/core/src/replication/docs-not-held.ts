import type { PeerId } from '../ids.ts'

/**
 * Which peers said lately that they do not hold a document (`sync-unknown`).
 * A replicator that hears it asks another peer instead; without this memory,
 * a document that only this peer holds (a job the others dropped, a private
 * one) bounced requests between it and the others as fast as the network
 * carried them: 39,000 requests in 5 s among three peers in memory, and about
 * a second of the dispatch bench's host sending them over WebRTC.
 */
export class DocsNotHeld {
  readonly #denied = new Map<string, Map<PeerId, number>>()

  /** `forMs`: how long a denial stands; the periodic round asks everyone again after it. */
  constructor(private readonly forMs: number) {}

  note(guid: string, peer: PeerId, now: number): void {
    let peers = this.#denied.get(guid)
    if (peers === undefined) this.#denied.set(guid, (peers = new Map()))
    peers.set(peer, now)
    this.#prune(now)
  }

  /** The peer said it does not hold the document within the last `forMs`. */
  denied(guid: string, peer: PeerId, now: number): boolean {
    const at = this.#denied.get(guid)?.get(peer)
    return at !== undefined && now - at < this.forMs
  }

  /** Entries past `forMs` go once many gather: one per peer and document it asked. */
  #prune(now: number): void {
    if (this.#denied.size < 64) return
    for (const [guid, peers] of this.#denied) {
      for (const [peer, at] of peers) if (now - at >= this.forMs) peers.delete(peer)
      if (peers.size === 0) this.#denied.delete(guid)
    }
  }
}
