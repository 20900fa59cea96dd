import { asJobId, registerErrors, TesseraError, type TaskKey } from '@tessera/core'
import { cachePolicyFor } from './cache-policy.ts'
import { followCalls } from './follow.ts'
import type { JobControl } from './job-control.ts'
import type { PlannedCall } from './job-run.ts'
import type { CallOptions } from './options.ts'
import type { SwarmParts } from './swarm-parts.ts'
import { formatTaskRef, type TaskRef } from './task-ref.ts'

/** No job of that id in the room, or nobody here holds its document. */
export class JobNotFoundError extends TesseraError {
  override name = 'JobNotFoundError'
}
registerErrors(JobNotFoundError)

/** One call of a job, by its place in the job: its reference, and its value or its error. */
export type JobResult =
  | { readonly ref: TaskRef; readonly ok: true; readonly value: unknown }
  | { readonly ref: TaskRef; readonly ok: false; readonly error: Error }

/** How often to look again for task records still syncing. */
const TASKS_POLL_MS = 100
/** How long to wait for them when the caller gives no signal: a document nobody holds never arrives. */
const TASKS_WAIT_MS = 30_000

/**
 * Every call of a job, in task order, from any host at any later time: what
 * `tessera run` prints only while it runs. The job's document gives each
 * task's key (a peer that held it must be in the room, or this host's cache
 * directory must have kept it); each result then comes from the cache, or from
 * the job as it finishes.
 */
export async function jobResults(parts: SwarmParts, control: JobControl, id: string, options: CallOptions = {}): Promise<JobResult[]> {
  const job = asJobId(id)
  const entry = parts.peer.swarm.job(job)
  if (entry === undefined) throw new JobNotFoundError(`no job "${id}" in this room (tessera jobs lists them)`)
  const index = await parts.tracker.pin(job)
  try {
    if (index === undefined) throw new JobNotFoundError(`job "${id}" is listed, but nobody in the room holds its document (and no cache directory here kept it)`)
    const keys: TaskKey[] = []
    const giveUpAt = options.signal === undefined ? parts.clock.now() + TASKS_WAIT_MS : Number.POSITIVE_INFINITY
    for (;;) {
      keys.length = 0
      for (let i = 0; i < entry.taskCount; i++) {
        const key = index.task(String(i))?.key
        if (key !== undefined) keys.push(key)
      }
      if (keys.length === entry.taskCount) break
      if (options.signal?.aborted === true || parts.clock.now() >= giveUpAt) {
        throw new JobNotFoundError(
          `job "${id}": ${keys.length} of its ${entry.taskCount} tasks arrived in time (its task keys are in the job's document: a peer that holds it must be in the room, or pass the --cache-dir of the host that ran it)`,
        )
      }
      await new Promise<void>((resolve) => parts.clock.setTimeout(resolve, TASKS_POLL_MS))
    }
    const calls: PlannedCall[] = keys.map((key, i) => ({ index: i, key }))
    const taskOf = new Map<TaskKey, string>(keys.map((key, i) => [key, String(i)]))
    const outcomes = await followCalls(parts, control, calls, { parts: [{ job, taskOf }] }, { ...options, policy: cachePolicyFor(parts, {}) })
    return outcomes.map((outcome, i) => {
      const ref = formatTaskRef(job, String(i), keys[i] as TaskKey)
      return outcome.ok ? { ref, ok: true, value: outcome.value } : { ref, ok: false, error: outcome.error }
    })
  } finally {
    parts.tracker.unpin(job)
  }
}
