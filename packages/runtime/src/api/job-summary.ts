import { taskPhase, type JobEntry, type JobIndex, type JobTracker } from '@tessera/core'

/** One job as dashboards and `tessera status` show it. */
export interface JobSummary {
  readonly id: string
  /** The pure function's name. */
  readonly name: string
  readonly state: JobEntry['state']
  readonly submittedBy: string
  readonly createdAt: number
  readonly total: number
  /**
   * Counts are known while this peer has the job's document open, and kept
   * from then on; a finished job it never opened counts as all done. A
   * cancelled job has nothing queued or running: its leftover claims are
   * abandoned, not work in progress.
   */
  readonly queued: number
  readonly running: number
  readonly done: number
  /** Tasks that threw, or that failed for good (timeouts, lost leases, no agreeing reports). */
  readonly failed: number
}

type Counts = Pick<JobSummary, 'queued' | 'running' | 'done' | 'failed'>

export function summarizeJob(entry: Omit<JobEntry, 'sig'>, index: JobIndex | undefined, now: number, remembered?: Counts): JobSummary {
  const base = { id: entry.id, name: entry.name, state: entry.state, submittedBy: entry.submittedBy, createdAt: entry.createdAt, total: entry.taskCount }
  const counts = index === undefined ? remembered : countTasks(index, entry.taskCount, now)
  if (counts === undefined) {
    const done = entry.state === 'done' ? entry.taskCount : 0
    return { ...base, queued: entry.state === 'open' ? entry.taskCount : 0, running: 0, done, failed: 0 }
  }
  const cancelled = entry.state === 'cancelled' || index?.cancelled === true
  return cancelled ? { ...base, ...counts, queued: 0, running: 0 } : { ...base, ...counts }
}

function countTasks(index: JobIndex, taskCount: number, now: number): Counts {
  let queued = 0
  let running = 0
  let done = 0
  let failed = 0
  for (const task of index.openTasks()) {
    if (taskPhase(index, task, now).phase === 'running') running++
    else queued++
  }
  for (const task of index.settledLog()) {
    const phase = taskPhase(index, task, now)
    // A task whose function threw is settled with that error as its outcome: a failure to whoever reads the counts.
    if (phase.phase === 'failed' || (phase.phase === 'done' && phase.outcome.kind === 'thrown')) failed++
    else done++
  }
  // Tasks still syncing into this peer's copy of the job document count as queued.
  queued += Math.max(0, taskCount - queued - running - done - failed)
  return { queued, running, done, failed }
}

/**
 * The last counts of each job whose document this peer had open, taken as the
 * job settles, so a finished job still shows its failures after the document
 * is let go (a second after it finishes, on a mesh peer).
 */
export class RememberedCounts {
  readonly #counts = new Map<string, Counts>()
  readonly #stop: () => void

  constructor(
    tracker: JobTracker,
    private readonly now: () => number,
    private readonly limit = 200,
  ) {
    this.#stop = tracker.onOpen((index) => {
      index.onSettled(() => {
        if (index.isFinished()) this.#remember(index)
      })
      if (index.isFinished()) this.#remember(index)
    })
  }

  /** The job's counts: from its open document (and remembered, once it has finished or was cancelled), or as last remembered. */
  summarize(entry: Omit<JobEntry, 'sig'>, index: JobIndex | undefined): JobSummary {
    if (index === undefined || entry.state === 'open') return summarizeJob(entry, index, this.now(), this.#counts.get(entry.id))
    // Counted once, and kept for when the document is let go.
    this.#remember(index)
    return summarizeJob(entry, undefined, this.now(), this.#counts.get(entry.id))
  }

  close(): void {
    this.#stop()
  }

  #remember(index: JobIndex): void {
    const id = index.spec.id
    this.#counts.delete(id)
    this.#counts.set(id, countTasks(index, index.spec.taskCount, this.now()))
    // Oldest first in a Map: the jobs remembered longest ago go first.
    for (const old of this.#counts.keys()) {
      if (this.#counts.size <= this.limit) break
      this.#counts.delete(old)
    }
  }
}
