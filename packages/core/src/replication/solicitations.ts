import type { PeerId } from '../ids.ts'

/**
 * Which peers this peer has asked for a document, for as long as their reply
 * may still be coming. A reply we asked for costs its sender no byte allowance,
 * so this must outlive the request's bookkeeping in `DocReplicator`: that entry
 * is dropped when the request is retried elsewhere (no piece within half a sync
 * round), yet the first peer's reply, slow only because a whole document is on
 * its way to a loaded peer, keeps coming. Counting its pieces as unsolicited
 * dropped them past the burst allowance, and the sender then refused another
 * whole document for `fullSyncIntervalMs`: a late join of 10 MB took 11 s
 * instead of 0.3 s about one time in ten (bench `latejoin.node-10mb`).
 */
export class Solicitations {
  readonly #asked = new Map<string, Map<PeerId, number>>()

  /** `silenceMs`: how long a reply may pause between pieces and still count as asked for. */
  constructor(private readonly silenceMs: number) {}

  asked(guid: string, peer: PeerId, now: number): void {
    let peers = this.#asked.get(guid)
    if (peers === undefined) this.#asked.set(guid, (peers = new Map()))
    peers.set(peer, now)
  }

  /** Whether a reply from `peer` now was asked for; a piece with more to come keeps the request open. */
  solicited(guid: string, peer: PeerId, now: number): boolean {
    const at = this.#asked.get(guid)?.get(peer)
    return at !== undefined && now - at <= this.silenceMs
  }

  /** A piece arrived: `more` keeps the request open, the last piece closes it. */
  answered(guid: string, peer: PeerId, now: number, more: boolean): void {
    const peers = this.#asked.get(guid)
    if (peers === undefined || !peers.has(peer)) return
    if (more) peers.set(peer, now)
    else peers.delete(peer)
  }

  forgetPeer(peer: PeerId): void {
    for (const peers of this.#asked.values()) peers.delete(peer)
  }

  forgetDoc(guid: string): void {
    this.#asked.delete(guid)
  }
}
