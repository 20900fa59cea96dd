import { taskPhase, type JobIndex, type TaskKey } from '@tessera/core'

/** Progress reports while a batch runs come at most this often. */
export const PROGRESS_INTERVAL_MS = 100
/**
 * A count of running calls may cost at most this share of the time between
 * counts. Most of a count is the first signature check of each claim it
 * reads (claims are re-signed at every claim and renewal), so counting less
 * often also checks fewer claims that are gone by the next count.
 */
const COUNT_SHARE = 0.02

/**
 * How many of a batch's calls are running, for its progress reports. Counting
 * reads every pending task's phase: for a 20,000-task batch that was 7% of a
 * host's main thread at one count per report (`dispatch` bench profile), so a
 * count is reused until the time since it is 50 times what it took.
 */
export class RunningCount {
  #countedAt = Number.NEGATIVE_INFINITY
  #everyMs = PROGRESS_INTERVAL_MS
  #last = 0

  count(job: JobIndex, pending: ReadonlySet<TaskKey>, taskOf: ReadonlyMap<TaskKey, string>, callsOf: (key: TaskKey) => number, now: number): number {
    if (pending.size === 0) return 0
    if (now - this.#countedAt < this.#everyMs) return this.#last
    const started = performance.now()
    let running = 0
    for (const key of pending) {
      const task = taskOf.get(key)
      if (task !== undefined && taskPhase(job, task, now).phase === 'running') running += callsOf(key)
    }
    this.#everyMs = Math.max(PROGRESS_INTERVAL_MS, (performance.now() - started) / COUNT_SHARE)
    this.#countedAt = now
    this.#last = running
    return running
  }
}
