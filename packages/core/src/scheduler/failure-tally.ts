import type { ErrorRecord } from '../errors.ts'
import type { Failure, TaskId } from '../swarm/schema.ts'
import type { JobView } from './job-view.ts'

/**
 * How much allowance a reader gives the clock of whoever recorded a lost lease:
 * a lapse counts once the lapsed lease is at most this far ahead of the
 * reader's clock (and never more than a quarter lease, so a live claimant, who
 * renews at half its lease, has always renewed by then).
 */
export const LAPSE_SKEW_MS = 1_000

const NO_FAILURES: FailureTally = Object.freeze({ timeouts: 0, lostLeases: 0, lastAttempt: 0 })

/** What a task's recorded failures come to, as `taskPhase` judges them. */
export interface FailureTally {
  /** Timeouts, counted per subject for strangers of a public network, per attempt otherwise (`countingUnit`). */
  readonly timeouts: number
  /** Lost leases whose lease has passed by this reader's clock, counted the same way. */
  readonly lostLeases: number
  /** The highest attempt of a failure that stands (a lapse still in the future does not). */
  readonly lastAttempt: number
  /** That failure's error. */
  readonly last?: ErrorRecord
  /** When the earliest lapse that does not stand yet will (by this reader's clock), if there is one. */
  readonly pendingUntil?: number
}

/**
 * The failures of task `id` that count at `now`. `view.failures` hands out
 * only records that show their claimant failed (`swarm/signed-claims.ts`);
 * here a lost lease also waits until the lapsed lease has passed by this
 * reader's clock, allowing `skewMs` plus `LAPSE_SKEW_MS` for the recorder's.
 */
export function tallyFailures(view: JobView, id: TaskId, now: number, skewMs = 0): FailureTally {
  const failures = view.failures(id)
  // Most tasks never fail: `taskPhase` runs for every open task on every scheduling step.
  if (failures.length === 0) return NO_FAILURES
  const allowance = skewMs + Math.min(LAPSE_SKEW_MS, view.spec.leaseMs / 4)
  const timeouts = new Set<string>()
  const lostLeases = new Set<string>()
  let lastAttempt = 0
  let last: ErrorRecord | undefined
  let pendingUntil: number | undefined
  for (const failure of failures) {
    if (failure.kind === 'lease-expired') {
      const standsAt = (failure.lapsed?.leaseUntil ?? Number.POSITIVE_INFINITY) - allowance
      if (standsAt > now) {
        pendingUntil = Math.min(pendingUntil ?? Number.POSITIVE_INFINITY, standsAt)
        continue
      }
    }
    if (failure.attempt >= lastAttempt) {
      lastAttempt = failure.attempt
      last = failure.error
    }
    const unit = countingUnit(view, failure)
    if (unit !== undefined) (failure.kind === 'timeout' ? timeouts : lostLeases).add(unit)
  }
  return { timeouts: timeouts.size, lostLeases: lostLeases.size, lastAttempt, ...(last === undefined ? {} : { last }), ...(pendingUntil === undefined ? {} : { pendingUntil }) }
}

/**
 * What one failure counts as. A stranger of a public room (a `net:` subject:
 * everyone behind one address) counts once per task, however many of its keys
 * claimed and abandoned it or timed out: otherwise one stranger could fail any
 * task by claiming it 8 times. Subjects a room vouches for (a token's subject,
 * or `local:`, the signaling server's own machine) count per attempt, as
 * before, so a swarm of one such subject still gives up on a task that always
 * times out. A key with no subject counts for none, as in quorum.
 */
function countingUnit(view: JobView, failure: Failure): string | undefined {
  const subject = view.subjectOf(failure.peer)
  if (subject === undefined) return undefined
  return subject.startsWith('net:') ? `subject ${subject}` : `attempt ${failure.attempt}`
}
