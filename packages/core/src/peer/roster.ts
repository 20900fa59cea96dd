import type { PeerId } from '../ids.ts'

/**
 * Who the room's rendezvous (the signaling server) vouches for: a peer id that
 * is bound to one of its live connections, and an opaque tag for the address
 * that connection comes from. The server stamps the tag itself, so a peer
 * cannot choose it, and peers from one address share it. Until records are
 * signed (issue 14), this is the only thing about a peer that its own words do
 * not decide, so admission counts quotas by it.
 */
export interface RosterPort {
  /** The origin tag of `peer`'s connection, if the rendezvous lists it now. */
  originOf(peer: PeerId): string | undefined
  /** Calls `listener` with the peers whose origin appeared, changed or went away. */
  onChange(listener: (peers: readonly PeerId[]) => void): () => void
}

/** Longest origin tag accepted from a rendezvous; servers send 16 characters. */
export const MAX_ORIGIN_LENGTH = 64

/** A roster fed by whatever hears the rendezvous: the mesh's signaling client, or the simulator's network. */
export class Roster implements RosterPort {
  readonly #origins = new Map<PeerId, string>()
  readonly #listeners = new Set<(peers: readonly PeerId[]) => void>()

  originOf(peer: PeerId): string | undefined {
    return this.#origins.get(peer)
  }

  onChange(listener: (peers: readonly PeerId[]) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  /** Everyone the rendezvous lists, as it says on every (re)join; anyone missing is no longer vouched for. */
  replace(entries: Iterable<readonly [PeerId, string | undefined]>): void {
    const next = new Map<PeerId, string>()
    for (const [peer, origin] of entries) if (isOrigin(origin)) next.set(peer, origin)
    const changed = new Set<PeerId>()
    for (const [peer, origin] of this.#origins) if (next.get(peer) !== origin) changed.add(peer)
    for (const [peer, origin] of next) if (this.#origins.get(peer) !== origin) changed.add(peer)
    this.#origins.clear()
    for (const [peer, origin] of next) this.#origins.set(peer, origin)
    this.#emit([...changed])
  }

  set(peer: PeerId, origin: string | undefined): void {
    if (!isOrigin(origin)) return this.delete(peer)
    if (this.#origins.get(peer) === origin) return
    this.#origins.set(peer, origin)
    this.#emit([peer])
  }

  delete(peer: PeerId): void {
    if (this.#origins.delete(peer)) this.#emit([peer])
  }

  #emit(peers: readonly PeerId[]): void {
    if (peers.length === 0) return
    for (const listener of this.#listeners) {
      try {
        listener(peers)
      } catch {
        // A listener's failure is its own; the roster stays consistent for the others.
      }
    }
  }
}

function isOrigin(origin: unknown): origin is string {
  return typeof origin === 'string' && origin.length > 0 && origin.length <= MAX_ORIGIN_LENGTH
}
