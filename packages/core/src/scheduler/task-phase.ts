import { QuorumError, type ErrorRecord } from '../errors.ts'
import type { PeerId } from '../ids.ts'
import type { Claim, Outcome, Report, TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'
import { acceptedOutcome, outcomeId } from './outcome.ts'
import { tallyFailures } from './failure-tally.ts'

/**
 * How long donors leave an adaptive job's reported task to its submitter's
 * verdict before they run it again anyway: a submitter that left gets full
 * replication, never a result accepted on one stranger's word.
 */
export const VERDICT_WAIT_MS = 5_000

export type TaskPhase =
  | { readonly phase: 'done'; readonly outcome: Outcome }
  | { readonly phase: 'failed'; readonly error: ErrorRecord }
  | { readonly phase: 'running'; readonly claim: Claim }
  /** An adaptive job's task with agreeing reports but no quorum: its submitter has until `until` to accept one or ask for a check. */
  | { readonly phase: 'judging'; readonly until: number }
  /** `attempt` is the number the next claim takes; `expired` is a lapsed claim to record as lost. */
  | { readonly phase: 'queued'; readonly attempt: number; readonly expired?: Claim }

export interface PhaseOptions {
  /** Allowance for clock skew between peers when judging someone else's lease. */
  readonly skewMs?: number
}

/**
 * Where a task stands, judged from the document alone, so every peer that has
 * seen the same updates reaches the same answer.
 */
export function taskPhase(view: JobView, id: TaskId, now: number, options: PhaseOptions = {}): TaskPhase {
  const reports = view.reports(id)
  const accepted = acceptedOutcome(reports, view.spec.quorum, (peer) => view.subjectOf(peer)) ?? acceptedByVerdict(view, id, reports)
  if (accepted !== undefined) return { phase: 'done', outcome: accepted }

  // Only failures their claimant's records show, lost leases once passed by this clock (`failure-tally.ts`).
  const { timeouts, lostLeases, lastAttempt, last } = tallyFailures(view, id, now, options.skewMs)
  if (last !== undefined && (timeouts >= view.spec.maxAttempts || lostLeases >= view.spec.maxLostLeases)) {
    return { phase: 'failed', error: last }
  }
  const quorumSpread = view.spec.quorum + view.spec.maxAttempts
  // Distinct subjects, like quorum: one subject's many keys cannot fail a task by disagreeing with itself.
  const reporters = new Set<string>()
  for (const report of reports) {
    const subject = view.subjectOf(report.peer)
    if (subject !== undefined) reporters.add(subject)
  }
  if (reporters.size >= quorumSpread) {
    const error = new QuorumError(`no ${view.spec.quorum} of ${reports.length} reports agree`)
    return { phase: 'failed', error: { name: error.name, message: error.message } }
  }

  const claim = view.claim(id)
  const claimIsCurrent =
    claim !== undefined && claim.attempt > lastAttempt && !reports.some((r) => r.peer === claim.peer)
  if (claimIsCurrent && now <= claim.leaseUntil + (options.skewMs ?? 0)) return { phase: 'running', claim }
  const judging = judgingUntil(view, id, reports, now, options.skewMs ?? 0)
  if (judging !== undefined) return { phase: 'judging', until: judging }
  if (claimIsCurrent) return { phase: 'queued', attempt: claim.attempt + 1, expired: claim }
  return { phase: 'queued', attempt: Math.max(lastAttempt, claim?.attempt ?? 0) + 1 }
}

/** In a job its submitter judges: the outcome the submitter's verdict accepted, once a checked report carries it. */
function acceptedByVerdict(view: JobView, id: TaskId, reports: readonly Report[]): Outcome | undefined {
  if (view.spec.replication === undefined) return undefined
  const accepted = view.verdict(id)?.accepted
  if (accepted === undefined) return undefined
  const wanted = outcomeId(accepted)
  return reports.find((report) => outcomeId(report.outcome) === wanted)?.outcome
}

/**
 * Until when donors leave the task to its submitter: in an adaptive job, with
 * reports that agree and no verdict asking for a check. Reports dated far
 * from now (a reporter's clock, or a liar's) are not waited on.
 */
function judgingUntil(view: JobView, id: TaskId, reports: readonly Report[], now: number, skewMs: number): number | undefined {
  if (view.spec.replication !== 'adaptive' || reports.length === 0 || view.verdict(id)?.check === true) return undefined
  const first = outcomeId(reports[0]!.outcome)
  if (reports.some((report) => outcomeId(report.outcome) !== first)) return undefined
  const reportedAt = Math.min(...reports.map((report) => report.at))
  if (Math.abs(now - reportedAt) > VERDICT_WAIT_MS + skewMs) return undefined
  return reportedAt + VERDICT_WAIT_MS
}

/** True once nothing more will happen to the task. */
export function isSettled(phase: TaskPhase): boolean {
  return phase.phase === 'done' || phase.phase === 'failed'
}

/**
 * Whether `self` may run the task now: queued, and neither `self` nor another
 * key of its subject has reported on it (another report of the same subject
 * would add no vote to the quorum).
 */
export function canRun(view: JobView, id: TaskId, self: PeerId, phase: TaskPhase): boolean {
  if (phase.phase !== 'queued') return false
  const own = view.subjectOf(self)
  return !view.reports(id).some((r) => r.peer === self || (own !== undefined && view.subjectOf(r.peer) === own))
}
