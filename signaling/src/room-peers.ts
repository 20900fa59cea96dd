import type { SubjectCertificate } from '@tessera/core'
import type { Certification } from './certification.ts'
import type { OriginTags } from './origin-tags.ts'
import type { PeerMeta, RoomPeer } from './protocol.ts'
import type { Rooms } from './rooms.ts'

/**
 * What the server says about bound peers: each with the origin tag of its
 * connection and, for key ids, its subject certificate. The peer's own words
 * (`meta`) are passed on as parsed; the rest it cannot choose.
 */
export class RoomPeers<C extends { readonly address?: string }> {
  constructor(
    private readonly rooms: Rooms<C>,
    private readonly origins: OriginTags<C>,
    private readonly certification: Certification<C>,
    /** Peers bound on other instances of a cluster, as their instances announced them. */
    private readonly elsewhere: (topic: string) => readonly RoomPeer[] = () => [],
  ) {}

  of(conn: C, peer: string, meta: PeerMeta, certificate: SubjectCertificate | undefined): RoomPeer {
    return { peer, meta, origin: this.origins.of(conn), ...(certificate === undefined ? {} : { certificate }) }
  }

  /** Everyone bound in `topic` but `except`, on this instance and on the others. */
  listed(topic: string, except: C): RoomPeer[] {
    const peers: RoomPeer[] = [...this.elsewhere(topic)]
    for (const { conn, peer, meta } of this.rooms.bindings(topic)) {
      if (conn !== except) peers.push(this.of(conn, peer, meta, this.certification.certificateOf(conn, topic)))
    }
    return peers
  }
}
