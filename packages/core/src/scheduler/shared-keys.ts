import type { JobId, TaskKey } from '../ids.ts'
import { meetsPolicy } from '../swarm/cache-policy.ts'
import type { CacheEntry, Claim, TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'
import { taskPhase } from './task-phase.ts'

/**
 * One task key runs once in the swarm, whichever jobs ask for it (issue 15):
 * two instances of one program publish two jobs with the same keys, and
 * without this every key ran twice. A task waits while another job's task of
 * the same key is being computed (a live claim, or a report its submitter is
 * judging); it is then answered from the cache, and taken over if that claim
 * lapses.
 */
export interface KeyedJob extends JobView {
  tasksWithKey(key: TaskKey): readonly TaskId[]
}

/**
 * Whether the cache already answers a task of `view`'s job as its submitter
 * would take it: an entry signed by the submitter's own key, by its own
 * subject when that is more than a shared network, or by `quorum` distinct
 * subjects. A submitter that asks for a check of the task is not answered.
 */
export function answeredByCache(view: JobView, task: TaskId, entry: CacheEntry | undefined): boolean {
  if (entry === undefined || view.verdict(task)?.check === true) return false
  return acceptedForJob(view, entry)
}

/**
 * Whether `view`'s submitter takes the entry's outcome (the policy above),
 * whoever asks: also how a dependency's result is judged for a task of this
 * job that links to it (`donor/dependency-gate.ts`).
 */
export function acceptedForJob(view: JobView, entry: CacheEntry): boolean {
  const submitter = view.spec.submittedBy
  const own = view.subjectOf(submitter)
  const vouched = own !== undefined && !own.startsWith('net:')
  return meetsPolicy(entry, {
    quorum: view.spec.quorum,
    trusted: (peer) => peer === submitter || (vouched && view.subjectOf(peer) === own),
    subjectOf: (peer) => view.subjectOf(peer),
  })
}

/** The claim or judging that holds `key` in a job other than `job`, if any. */
export function computedElsewhere(key: TaskKey, job: JobId, others: Iterable<KeyedJob>, now: number, skewMs = 0): { readonly claim?: Claim; readonly job: JobId; readonly task: TaskId } | undefined {
  for (const other of others) {
    if (other.spec.id === job || other.cancelled) continue
    for (const task of other.tasksWithKey(key)) {
      const phase = taskPhase(other, task, now, { skewMs })
      if (phase.phase === 'running') return { claim: phase.claim, job: other.spec.id, task }
      if (phase.phase === 'judging') return { job: other.spec.id, task }
    }
  }
  return undefined
}

/**
 * After the settle window, two claims of one key in two jobs (made before
 * either claimant saw the other's) leave one standing: every peer orders them
 * the same way, earliest claim first, then by job and task.
 */
export function yieldsTo(mine: { readonly claim: Claim; readonly job: JobId; readonly task: TaskId }, other: { readonly claim: Claim; readonly job: JobId; readonly task: TaskId }): boolean {
  if (other.claim.claimedAt !== mine.claim.claimedAt) return other.claim.claimedAt < mine.claim.claimedAt
  if (other.job !== mine.job) return other.job < mine.job
  return other.task < mine.task
}
