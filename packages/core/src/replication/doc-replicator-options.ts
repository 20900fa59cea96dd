import type { Clock } from '../clock.ts'
import type { PeerId } from '../ids.ts'
import type { Transport } from '../interfaces/transport.ts'
import type { ReplicationLimits } from './limits.ts'

/** How a `DocReplicator` replicates: its transport and clock, its bounds, and whom it tells what. */
export interface DocReplicatorOptions {
  readonly transport: Transport
  readonly clock: Clock
  /** Anti-entropy: every this often, ask one peer for whatever we missed. 0 turns it off. */
  readonly syncIntervalMs?: number
  /**
   * At most this many sync requests per document are awaiting a reply at once.
   * A peer that joins a busy room would otherwise get the whole document back
   * from every neighbour; anti-entropy reaches the rest later.
   */
  readonly maxPendingSyncs?: number
  /**
   * Updates for a document this peer has not opened yet (a job announced a
   * moment later) are held, up to these bounds, and applied when it opens.
   */
  readonly maxUnknownDocs?: number
  readonly maxUnknownBytes?: number
  /**
   * Updates that arrive within this window are merged and applied as one
   * transaction: each transaction has a fixed cost in Yjs, and busy swarms send
   * many small updates. 0 applies each at once. Default 20 ms.
   */
  readonly applyBatchMs?: number
  /** Pass updates learned from one peer on to the others (for partial meshes). */
  readonly relay?: boolean
  readonly random?: () => number
  /**
   * A peer that sent something malformed, oversized or undecodable, or that floods:
   * reported here (never thrown), so that the transport's owner can drop and ban it.
   */
  readonly onPeerError?: (peer: PeerId, error: unknown) => void
  /** Caps on what one peer can make this one do; see `REPLICATION_LIMITS`. */
  readonly limits?: Partial<ReplicationLimits>
  /**
   * A complete sync reply from `peer` was applied to document `guid`: this
   * peer now holds everything `peer` had when it answered (a joining peer
   * waits for the first, so that its first call sees the swarm's cache).
   */
  readonly onSynced?: (peer: PeerId, guid: string) => void
}
