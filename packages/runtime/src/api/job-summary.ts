import { taskPhase, type JobEntry, type JobIndex } from '@tessera/core'

/** One job as dashboards and `tessera status` show it. */
export interface JobSummary {
  readonly id: string
  /** The pure function's name. */
  readonly name: string
  readonly state: JobEntry['state']
  readonly submittedBy: string
  readonly createdAt: number
  readonly total: number
  /** Counts are known while this peer has the job's document open; a finished job it never opened counts as all done. */
  readonly queued: number
  readonly running: number
  readonly done: number
  readonly failed: number
}

export function summarizeJob(entry: Omit<JobEntry, 'sig'>, index: JobIndex | undefined, now: number): JobSummary {
  const base = { id: entry.id, name: entry.name, state: entry.state, submittedBy: entry.submittedBy, createdAt: entry.createdAt, total: entry.taskCount }
  if (index === undefined) {
    const done = entry.state === 'done' ? entry.taskCount : 0
    return { ...base, queued: entry.state === 'open' ? entry.taskCount : 0, running: 0, done, failed: 0 }
  }
  let queued = 0
  let running = 0
  let done = 0
  let failed = 0
  for (const task of index.openTasks()) {
    if (taskPhase(index, task, now).phase === 'running') running++
    else queued++
  }
  for (const task of index.settledLog()) {
    if (taskPhase(index, task, now).phase === 'failed') failed++
    else done++
  }
  // Tasks still syncing into this peer's copy of the job document count as queued.
  queued += Math.max(0, entry.taskCount - queued - running - done - failed)
  return { ...base, queued, running, done, failed }
}
