/**
 * What one peer may make this peer do. Every figure bounds either the time one
 * message can hold the event loop, or the share of it one peer can take.
 */
export interface ReplicationLimits {
  /**
   * An update (or one piece of a sync reply) of at most this many bytes. Applying
   * 64 KiB of the smallest Yjs map entries (about 4,000) takes 10–40 ms on a loaded
   * 2-core machine; our own writers keep transactions ≤ 32 KiB, and anything
   * larger travels in pieces of this size.
   */
  readonly maxUpdateBytes: number
  /**
   * A piece holding one single binary or string value may be this big: it cannot
   * be cut, and applying it costs a copy, not a walk. (Our own writers keep values
   * ≤ 1 KiB inline and larger ones as blobs; applications may store more.)
   */
  readonly maxStructBytes: number
  /** A state vector of a sync or repair request (about 6–10 bytes per writer ever seen). */
  readonly maxStateVectorBytes: number
  /** Unsolicited bytes per second a peer may send (updates, relays), and the burst it may save up. */
  readonly bytesPerSecond: number
  readonly burstBytes: number
  /** Messages per second a peer may send, and the burst. */
  readonly messagesPerSecond: number
  readonly burstMessages: number
  /**
   * A peer that keeps sending past its allowance until it owes this many bursts is
   * reported (and the mesh drops and bans it); before that, its excess is dropped.
   */
  readonly banAfterBursts: number
  /** Sync and repair requests a peer may make per second (five seconds' worth at once); more go unanswered. */
  readonly syncRequestsPerSecond: number
  /** A peer that got a reply of more than one piece gets the next large one only after this long. */
  readonly fullSyncIntervalMs: number
  /** Sync replies being encoded at once, across all peers; further requests wait for anti-entropy. */
  readonly maxConcurrentReplies: number
  /** Work done in one turn of the event loop, encoding replies or applying updates, before yielding. */
  readonly sliceMs: number
  /** Updates parked for missing predecessors beyond this are dropped (anti-entropy refetches them). */
  readonly maxParkedBytes: number
}

export const REPLICATION_LIMITS: ReplicationLimits = {
  maxUpdateBytes: 64 * 1024,
  maxStructBytes: 8 * 1024 * 1024,
  maxStateVectorBytes: 1024 * 1024,
  bytesPerSecond: 1024 * 1024,
  burstBytes: 8 * 1024 * 1024,
  messagesPerSecond: 2_000,
  burstMessages: 10_000,
  banAfterBursts: 1,
  syncRequestsPerSecond: 20,
  fullSyncIntervalMs: 10_000,
  maxConcurrentReplies: 4,
  sliceMs: 20,
  maxParkedBytes: 4 * 1024 * 1024,
}
