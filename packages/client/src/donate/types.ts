import type { JobSummary } from '@tessera/runtime'

/**
 * - `connecting`: joining the room.
 * - `donating`: workers take tasks.
 * - `paused`: connected, taking no new tasks (paused, or 0 workers).
 * - `waiting`: connected, taking no new tasks until the tab is visible again (`idleOnly`).
 * - `left`: `leave()` was called, or the connection closed.
 * - `failed`: the connection could not be made (see `DonationStats.error`).
 */
export type DonationState = 'connecting' | 'donating' | 'paused' | 'waiting' | 'left' | 'failed'

/** One peer of the room, as a dashboard shows it. */
export interface RoomPeer {
  readonly id: string
  /** A browser tab, or a Node host. */
  readonly kind: 'tab' | 'host'
  readonly workers: number
  /** 0 idle to 1 fully busy. */
  readonly load: number
  /** This tab. */
  readonly self: boolean
}

export interface DonationStats {
  readonly state: DonationState
  /** Why the connection failed, when `state` is `failed`. */
  readonly error?: string
  readonly room: string
  /** This tab's peer id, once connected. */
  readonly self?: string
  /** Connected to the signaling server now (links to peers outlive it). */
  readonly signaling: boolean
  /** The workers asked for, and those taking tasks now (0 while paused or waiting). */
  readonly workers: number
  readonly activeWorkers: number
  readonly paused: boolean
  readonly idleOnly: boolean
  readonly visible: boolean
  readonly peers: readonly RoomPeer[]
  /** Tasks this tab has run, and held now (claimed, queued or running). */
  readonly tasksRun: number
  readonly tasksHeld: number
  /** Of those held, the ones a worker runs now: never more than the workers. */
  readonly tasksRunning: number
  /** Tasks per second over the last few seconds: settled across the swarm, and run here (0 once this tab has left: it no longer sees the swarm). */
  readonly throughput: { readonly swarm: number; readonly here: number }
  /** Results in the swarm's cache. */
  readonly cacheEntries: number
  /**
   * Of the calls that peers in the room now have made since they connected, the
   * share the cache answered (each peer publishes its counts in presence);
   * undefined until someone has made a call.
   */
  readonly cacheHitRate: number | undefined
  readonly jobs: readonly JobSummary[]
}

export interface DonationEvents {
  [name: string]: unknown
  state: DonationState
  stats: DonationStats
  /** Tasks this tab finished since the last event (at most one event per stats interval). */
  task: { readonly count: number; readonly total: number }
}
