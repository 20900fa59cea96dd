import type { PeerId } from '../ids.ts'

/** Most links a `links` message may list: more than any mesh keeps (`maxPeers`). */
export const MAX_LISTED_LINKS = 256

/**
 * Which of this peer's neighbours are linked to each other, each by its own
 * word over its own link. An update learned from one neighbour need not be
 * relayed to another that is linked to it: the sender passed it on there
 * itself, since a relay skips only the neighbours its own source is linked to,
 * and an update's author sends it to every link. In a full mesh that is every
 * relay, which doubled what a dispatch host sent (`docs/swarm-document.md`).
 * Both neighbours must say so, so one that lies about its links cannot stop
 * relays to an honest peer; until both have spoken, everything is relayed,
 * and anti-entropy covers a link that closed before its news arrived.
 */
export class NeighbourLinks {
  readonly #links = new Map<PeerId, ReadonlySet<PeerId>>()

  heard(peer: PeerId, links: readonly PeerId[]): void {
    this.#links.set(peer, new Set(links))
  }

  forget(peer: PeerId): void {
    this.#links.delete(peer)
  }

  linked(a: PeerId, b: PeerId): boolean {
    return this.#links.get(a)?.has(b) === true && this.#links.get(b)?.has(a) === true
  }
}
