import type { JobId } from '../ids.ts'
import { answeredByCache, computedElsewhere, yieldsTo } from '../scheduler/shared-keys.ts'
import type { JobIndex } from '../swarm/job-index.ts'
import type { TaskId } from '../swarm/schema.ts'
import type { SwarmDoc } from '../swarm/swarm-doc.ts'

/**
 * A donor's view of the other open jobs, so that a task key several jobs ask
 * for runs once (`scheduler/shared-keys.ts`): it skips tasks the cache answers
 * or another job is computing, and gives way where two jobs' claims of one
 * key crossed.
 */
export class SharedKeyGuard {
  #open: JobIndex[] = []

  constructor(
    private readonly swarm: SwarmDoc,
    private readonly skewMs: number,
  ) {}

  /** The open jobs of this scheduling step. */
  set openJobs(views: JobIndex[]) {
    this.#open = views
  }

  /** Whether to leave the task alone: answered from the cache, or computed in another job now. */
  skips(view: JobIndex, task: TaskId, now: number): boolean {
    const key = view.task(task)?.key
    if (key === undefined || this.answered(view, task)) return key !== undefined
    return this.#open.length > 1 && computedElsewhere(key, view.spec.id, this.#open, now, this.skewMs) !== undefined
  }

  /** Whether the cache answers the task now (a held task need not run). */
  answered(view: JobIndex, task: TaskId): boolean {
    const key = view.task(task)?.key
    return key !== undefined && answeredByCache(view, task, this.swarm.cached(key))
  }

  /** Whether this donor's settled claim of `task` gives way to another job's claim of the same key. */
  givesWay(view: JobIndex, job: JobId, task: TaskId, now: number): boolean {
    const key = view.task(task)?.key
    const claim = view.claim(task)
    if (key === undefined || claim === undefined || this.#open.length <= 1) return false
    const other = computedElsewhere(key, job, this.#open, now, this.skewMs)
    return other?.claim !== undefined && yieldsTo({ claim, job, task }, { claim: other.claim, job: other.job, task: other.task })
  }
}
