/** What `onProgress` receives while a batch runs. */
export interface Progress {
  /** Calls that have an outcome (value or error), cached ones included. */
  readonly done: number
  readonly total: number
  /** Calls answered from the cache without running anything. */
  readonly cached: number
  readonly failed: number
  /**
   * Calls whose task a peer holds a live lease on: running, or next in that
   * peer's queue (a donor claims a few tasks at a time, so this can exceed
   * `workers`).
   */
  readonly running: number
  /**
   * Workers in the room that could run these calls (this host's own
   * included, except for `.remote()`). 0 means nobody can: the calls wait
   * until a peer with workers joins, or fail (`noWorkers: 'fail'`).
   */
  readonly workers: number
}

/** One call's outcome, in `parallel(..., { settle: true })` and `stream`. */
export type Settled<A, R> =
  | { readonly index: number; readonly args: A; readonly status: 'fulfilled'; readonly value: R; readonly cached: boolean }
  | { readonly index: number; readonly args: A; readonly status: 'rejected'; readonly error: Error }
