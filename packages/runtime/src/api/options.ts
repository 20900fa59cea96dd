import type { JobOptions } from '@tessera/core'
import type { Progress } from './progress.ts'
import type { TaskLog } from './task-log.ts'
import type { DisputeOptions } from './dispute-watch.ts'
import type { NoWorkersOptions } from './worker-watch.ts'

export interface PureOptions extends JobOptions {
  /** Part of the function's address; defaults to the function's own name. */
  readonly name?: string
}

export interface CallOptions extends NoWorkersOptions, DisputeOptions {
  readonly signal?: AbortSignal
  /** Forget cached failures of these calls and run them again (cached values are kept). */
  readonly retryFailed?: boolean
  /** Each line the calls' runs print (console.log/info/debug, warn, error), with its call and donor; cached calls print nothing. */
  readonly onLog?: (line: TaskLog) => void
}

export interface BatchOptions extends CallOptions {
  readonly onProgress?: (progress: Progress) => void
  /** Settled results instead of rejecting when some calls fail. */
  readonly settle?: boolean
}

/** What `status()` reports. */
export interface SwarmStatus {
  /** Peers known alive through presence, this one included. */
  readonly peers: number
  /** Workers across those peers. */
  readonly workers: number
  /** Tasks of open jobs waiting for a peer, running, done and failed. */
  readonly queued: number
  readonly running: number
  readonly done: number
  readonly failed: number
  readonly cacheEntries: number
  /** Calls this peer has looked up in the cache since it connected, and how many the cache answered. */
  readonly cacheLookups: number
  readonly cacheHits: number
  /** Tasks this peer's own workers have run since it connected (for the swarm or for local calls). */
  readonly executed: number
}
