/** Where a run's calls were answered. */
export interface RunCounts {
  /** Calls with an outcome, over every batch. */
  readonly done: number
  readonly cached: number
  /** Calls that ended in an error (from the cache or run again), over every batch. */
  readonly failed?: number
  /** Tasks this host's own workers ran meanwhile. */
  readonly ranHere: number
  /** This host's worker threads. */
  readonly workers: number
}

/**
 * `200 tasks: 150 ran here (1 worker), 30 on other peers, 20 from the cache; 3 failed (...)`
 * or, with no failures, just the first part: 150 ran here (1 worker), 30 on other peers, 20 from the cache`.
 * Other peers' share is what neither the cache nor this host answered.
 */
export function formatRunSummary({ done, cached, ranHere, workers, failed = 0 }: RunCounts): string {
  const here = Math.min(ranHere, Math.max(0, done - cached))
  const elsewhere = Math.max(0, done - cached - here)
  const threads = `${workers} worker${workers === 1 ? '' : 's'}`
  const line = `${done} task${done === 1 ? '' : 's'}: ${here} ran here (${threads}), ${elsewhere} on other peers, ${cached} from the cache`
  return failed === 0 ? line : `${line}; ${failed} failed (tessera run --retry-failed runs them again)`
}
