import type * as Y from 'yjs'
import type { PeerId } from '../ids.ts'
import type { Identity } from '../identity/identity.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'
import type { ValueStore } from '../swarm/value-store.ts'
import type { RosterPort } from './roster.ts'

/** What every peer says about itself. */
export interface PresenceInfo {
  readonly kind: 'browser' | 'node'
  /** Workers this peer runs tasks on (0 for a host that only submits). */
  readonly workers: number
  /** Tasks running now divided by workers: 0 idle, 1 fully busy. */
  readonly load: number
  /** The Tessera version it runs. */
  readonly version: string
  /** Calls this peer has looked up in the result cache since it connected, and how many the cache answered. */
  readonly cacheLookups?: number
  readonly cacheHits?: number
}

export interface PresenceRecord extends PresenceInfo {
  readonly peer: PeerId
  /** Grows with every change; a relay passes on only records newer than it has. */
  readonly seq: number
}

/** Who is in the swarm, as this peer knows it. */
export interface PresencePort {
  /** Every peer known to be alive, this one first. */
  list(): PresenceRecord[]
  /** Changes this peer's own record and tells the others. */
  update(change: Partial<PresenceInfo>): void
}

/**
 * What the runtime needs from a peer, whatever carries it: the mesh over
 * WebRTC in production, the seeded network in the simulator. The shared
 * documents are read through `swarm` and written through `swarm/writes.ts`.
 */
export interface PeerPort {
  /** `identity.peer`: the peer's id is its public key. */
  readonly id: PeerId
  /** The key pair this peer signs its records with. */
  readonly identity: Identity
  readonly swarm: SwarmDoc
  readonly values: ValueStore
  readonly presence: PresencePort
  /** Who the signaling server vouches for, and from which address (admission counts quotas by it). */
  readonly roster: RosterPort
  /** True once the peer is closed (or, in the simulator, dead): it takes no more writes. */
  readonly closed: boolean
  /** Opens (loading what was persisted) and replicates a document, such as a job's. */
  openDoc(guid: string): Promise<Y.Doc>
  /** Drops the link to a peer proven hostile and refuses it for a while; peers without links (the simulator) may leave it out. */
  ban?(peer: PeerId, reason: string): void
  /** Stops replicating a document and forgets its stored copy (a dropped job). */
  dropDoc(guid: string): Promise<void>
  close(): Promise<void>
}
