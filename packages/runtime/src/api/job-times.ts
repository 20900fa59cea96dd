import { asJobId } from '@tessera/core'
import { JobNotFoundError } from './job-results.ts'
import type { SwarmParts } from './swarm-parts.ts'

/** Where the donors' time went in some jobs' runs, from their reports. */
export interface JobTimes {
  /** Tasks of the jobs, and of them those with a report here (a task answered from the cache has none). */
  readonly tasks: number
  readonly reported: number
  /** Reports read: one per run, so k per task with replication k. */
  readonly runs: number
  /** Time the runs computed, worker time as each donor measured it (`durationMs`). */
  readonly computeMs: number
  /**
   * Time the runs' workers sat waiting for their arguments' values (blocks
   * fetched from peers, hash checks, decoding) before they could start: what
   * fetching ahead did not hide. Reports of donors too old to say count 0.
   */
  readonly fetchMs: number
  /** Runs per donor peer. */
  readonly runsByPeer: Readonly<Record<string, number>>
}

export interface JobTimesOptions {
  /** How long to wait for reports still syncing here (default 5 s). */
  readonly waitMs?: number
  readonly signal?: AbortSignal
}

const POLL_MS = 50

/**
 * Sums the reports of the given jobs: what their runs computed and waited
 * for, on which peers. Reports arrive with the job's document, sometimes after
 * the results that the caller already has, so this waits (bounded) until every
 * task has one.
 */
export async function jobTimes(parts: SwarmParts, ids: readonly string[], options: JobTimesOptions = {}): Promise<JobTimes> {
  const jobs = ids.map(asJobId)
  const indexes = await Promise.all(jobs.map((job) => parts.tracker.pin(job)))
  try {
    const giveUpAt = parts.clock.now() + (options.waitMs ?? 5_000)
    for (;;) {
      let tasks = 0
      let reported = 0
      let runs = 0
      let computeMs = 0
      let fetchMs = 0
      const runsByPeer: Record<string, number> = {}
      indexes.forEach((index, i) => {
        if (index === undefined) throw new JobNotFoundError(`job "${ids[i]}": nobody in the room holds its document`)
        tasks += index.spec.taskCount
        for (let t = 0; t < index.spec.taskCount; t++) {
          const reports = index.reports(String(t))
          if (reports.length > 0) reported++
          for (const report of reports) {
            runs++
            computeMs += report.durationMs
            fetchMs += report.fetchMs ?? 0
            runsByPeer[report.peer] = (runsByPeer[report.peer] ?? 0) + 1
          }
        }
      })
      if (reported === tasks || parts.clock.now() >= giveUpAt || options.signal?.aborted === true) {
        return { tasks, reported, runs, computeMs, fetchMs, runsByPeer }
      }
      await new Promise<void>((resolve) => parts.clock.setTimeout(resolve, POLL_MS))
    }
  } finally {
    for (const job of jobs) parts.tracker.unpin(job)
  }
}
