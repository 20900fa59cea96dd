/**
 * Events per second over a sliding window, from a counter that only grows:
 * feed it the counter's value now and then, read the rate.
 */
export class RateMeter {
  readonly #samples: Array<{ at: number; count: number }> = []

  constructor(private readonly windowMs = 5_000) {}

  sample(count: number, at: number): void {
    this.#samples.push({ at, count })
    while (this.#samples.length > 2 && (this.#samples[1]?.at ?? at) <= at - this.windowMs) this.#samples.shift()
  }

  /** Per second, between the oldest sample in the window and the newest; 0 with fewer than two. */
  get perSecond(): number {
    const first = this.#samples[0]
    const last = this.#samples[this.#samples.length - 1]
    if (first === undefined || last === undefined || last.at <= first.at) return 0
    return (Math.max(0, last.count - first.count) * 1_000) / (last.at - first.at)
  }
}

/**
 * Tasks finished across the swarm, as a counter that only grows: per job, the
 * most done this peer has seen, so a finished job dropping out of the job list
 * does not make the count go back. What was done before the first update is
 * the baseline, not a burst of work.
 */
export class DoneCounter {
  readonly #doneByJob = new Map<string, number>()
  #total = 0
  #primed = false

  update(jobs: ReadonlyArray<{ readonly id: string; readonly done: number; readonly failed: number }>): number {
    for (const job of jobs) {
      const settled = job.done + job.failed
      if (!this.#primed) {
        this.#doneByJob.set(job.id, settled)
        continue
      }
      const before = this.#doneByJob.get(job.id) ?? 0
      if (settled > before) {
        this.#total += settled - before
        this.#doneByJob.set(job.id, settled)
      }
    }
    this.#primed = true
    return this.#total
  }
}
