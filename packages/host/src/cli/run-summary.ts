/** Where a run's calls were answered. */
export interface RunCounts {
  /** Calls with an outcome, over every batch. */
  readonly done: number
  readonly cached: number
  /** Tasks this host's own workers ran meanwhile. */
  readonly ranHere: number
  /** This host's worker threads. */
  readonly workers: number
}

/**
 * `200 tasks: 150 ran here (1 worker), 30 on other peers, 20 from the cache`.
 * Other peers' share is what neither the cache nor this host answered.
 */
export function formatRunSummary({ done, cached, ranHere, workers }: RunCounts): string {
  const here = Math.min(ranHere, Math.max(0, done - cached))
  const elsewhere = Math.max(0, done - cached - here)
  const threads = `${workers} worker${workers === 1 ? '' : 's'}`
  return `${done} task${done === 1 ? '' : 's'}: ${here} ran here (${threads}), ${elsewhere} on other peers, ${cached} from the cache`
}
