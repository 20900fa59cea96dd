import { QuorumError } from '../errors.ts'
import type { TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'
import { outcomeId } from './outcome.ts'
import { taskPhase } from './task-phase.ts'

/**
 * A task no quorum can settle with the subjects live now: reports disagree,
 * and every live subject that could run the task has already reported (a
 * subject reports on a task once, `canRun`). Nothing in the document says
 * who is live, so only a caller that watches presence can tell, and it ends
 * its own call (`QuorumError`) without writing anything: a subject that
 * joins later can still settle the task for a retry.
 */
export interface Dispute {
  readonly task: TaskId
  /** The subjects that reported, sorted. */
  readonly subjects: readonly string[]
  /** How many distinct outcomes they reported. */
  readonly outcomes: number
  readonly quorum: number
}

/**
 * The dispute that holds `id`, if it is one: unsettled, reports of at least
 * two outcomes from subjects that count, and no subject of `live` (the
 * subjects of live peers with workers for it) missing among the reporters.
 * Reporters without a subject count for none, as in quorum.
 */
export function deadlockedDispute(view: JobView, id: TaskId, live: Iterable<string>, now: number): Dispute | undefined {
  const reports = view.reports(id)
  if (reports.length < 2) return undefined
  const phase = taskPhase(view, id, now)
  if (phase.phase === 'done' || phase.phase === 'failed') return undefined
  const subjects = new Set<string>()
  const outcomes = new Set<string>()
  for (const report of reports) {
    const subject = view.subjectOf(report.peer)
    if (subject === undefined) continue
    subjects.add(subject)
    outcomes.add(outcomeId(report.outcome))
  }
  if (outcomes.size < 2) return undefined
  for (const subject of live) if (!subjects.has(subject)) return undefined
  return { task: id, subjects: [...subjects].sort(), outcomes: outcomes.size, quorum: view.spec.quorum }
}

/** The error a call of a disputed task ends with: who disagreed, and how many had to agree. */
export function disputeError(dispute: Dispute, waitedMs: number): QuorumError {
  return new QuorumError(
    `no ${dispute.quorum} subjects agree on task ${dispute.task}: ${dispute.subjects.length} subjects (${dispute.subjects.join(', ')}) ` +
      `reported ${dispute.outcomes} different outcomes, and no other subject with workers appeared for ${waitedMs} ms; ` +
      'nothing was accepted, and a retry once another subject joins can settle it',
    dispute.subjects,
    dispute.quorum,
  )
}
